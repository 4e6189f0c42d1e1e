import Foundation
import Repository

/// Sealed JSON records under one repository prefix — drill records, run
/// records: each stored once under its own name, and read back all together.
struct SealedRecords<Record: Codable> {
    let repository: SealedRepository
    let prefix: String

    /// Stores `record` as `<prefix><name>.json`; an existing record is never replaced.
    func store(_ record: Record, name: String) throws {
        try repository.putSealed(prefix + name + ".json", bytes: try RepositoryJSON.encode(record), mode: .createOnly)
    }

    /// Every record. One that fails authentication is an integrity error, not a silently missing record.
    func all() throws -> [Record] {
        try repository.storage.list(prefix: prefix).filter { $0.key.hasSuffix(".json") }.map { info in
            try RepositoryJSON.decode(Record.self, from: try repository.getSealed(info.key, limit: 16 << 20))
        }
    }
}
