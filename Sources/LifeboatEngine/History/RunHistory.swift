import Foundation
import Repository
import Seal

/// The run records of one cluster (`<cluster>/runs/<id>.json`, see `RunRecord`):
/// written once per run, chained by SHA-256, never replaced or pruned.
public struct RunHistory {
    public let repository: SealedRepository
    public let layout: ClusterLayout
    /// How many of the newest records a writer reads to find the ones its record follows.
    public static let linkWindow = 64

    public init(repository: SealedRepository, cluster: String) {
        self.repository = repository
        layout = ClusterLayout(cluster: cluster)
    }

    var records: SealedRecords<RunRecord> { SealedRecords(repository: repository, prefix: layout.runsPrefix) }

    /// A stored record: its name, its content, and the SHA-256 of its plaintext.
    public struct Entry: Sendable {
        public var name: String
        public var record: RunRecord
        public var sha256: String

        public var link: RunRecord.Link { RunRecord.Link(id: name, sha256: sha256) }
        /// The records this one follows: `previous`, then `merged`.
        public var follows: [String] { [record.previous].compactMap { $0 } + record.merged.map(\.sha256) }
    }

    /// A record that cannot be read: altered, damaged, copied from another name, or unreadable storage.
    public struct Unreadable: Sendable {
        public var name: String
        public var reason: String
    }

    /// Everything under `runs/`, in name order (the order records were written).
    public struct Contents: Sendable {
        public var entries: [Entry]
        public var unreadable: [Unreadable]
    }

    func entry(_ key: String) throws -> Entry {
        let bytes = try records.plaintext(key)
        return Entry(name: records.name(key), record: try records.decode(bytes), sha256: try SHA256Hasher.digest(bytes).hexString)
    }

    /// Stores a run's record under a new name, following the newest records
    /// among the last `linkWindow` written: the newest of those nothing follows
    /// yet becomes `previous`, any others (runs that finished concurrently) go
    /// into `merged`. Returns the record as stored.
    @discardableResult
    public func store(_ record: RunRecord, at now: Date = Date()) throws -> RunRecord {
        var record = record
        let recent = try records.keys().suffix(Self.linkWindow).compactMap { try? entry($0) }
        let heads = Self.heads(of: recent)
        record.previous = heads.last?.sha256
        record.previousID = heads.last?.name
        record.merged = heads.dropLast().map(\.link)
        var attempt = 0
        while true {
            record.id = RunRecord.makeID(command: record.command, at: now)
            do {
                try records.store(record, name: record.id)
                return record
            } catch StorageError.alreadyExists(_) where attempt < 3 {
                attempt += 1
            }
        }
    }

    /// The entries no other entry follows, in their order.
    static func heads(of entries: [Entry]) -> [Entry] {
        let followed = Set(entries.flatMap(\.follows))
        return entries.filter { !followed.contains($0.sha256) }
    }

    /// Every record, readable or not, for `log` and chain verification.
    public func read() throws -> Contents {
        var contents = Contents(entries: [], unreadable: [])
        for key in try records.keys() {
            do {
                contents.entries.append(try entry(key))
            } catch {
                contents.unreadable.append(Unreadable(name: records.name(key), reason: error.localizedDescription))
            }
        }
        return contents
    }

    /// Every run record, oldest first. One that fails authentication is an
    /// integrity error, not a silently missing record.
    public func runs() throws -> [RunRecord] {
        try records.keys().map { key in
            var record = try entry(key).record
            if record.id.isEmpty { record.id = records.name(key) }
            return record
        }.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }
}
