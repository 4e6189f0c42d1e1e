import Foundation
import Repository

/// Sealed JSON records under one repository prefix — drill records, run
/// records: each stored once under its own name, and read back all together.
struct SealedRecords<Record: Codable> {
    let repository: SealedRepository
    let prefix: String

    /// Stores `record` as `<prefix><name>.json`; an existing record is never replaced.
    func store(_ record: Record, name: String) throws {
        try repository.putSealed(key(name), bytes: try RepositoryJSON.encode(record), mode: .createOnly)
    }

    func key(_ name: String) -> String { prefix + name + ".json" }

    /// The record's name in an object key of this prefix.
    func name(_ key: String) -> String { String(key.dropFirst(prefix.count).dropLast(".json".count)) }

    /// The object keys of every record, in key order.
    func keys() throws -> [String] {
        try repository.storage.list(prefix: prefix).map(\.key).filter { $0.hasSuffix(".json") }
    }

    /// A record's plaintext, authenticated.
    func plaintext(_ key: String) throws -> [UInt8] {
        try repository.getSealed(key, limit: 16 << 20)
    }

    func decode(_ bytes: [UInt8]) throws -> Record {
        try RepositoryJSON.decode(Record.self, from: bytes)
    }

    /// Every record. One that fails authentication is an integrity error, not a silently missing record.
    func all() throws -> [Record] {
        try keys().map { try decode(try plaintext($0)) }
    }
}
