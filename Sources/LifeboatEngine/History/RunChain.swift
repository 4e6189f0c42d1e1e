import Foundation

/// What the hash chain of a cluster's run records shows (`lifeboat log --verify`).
///
/// Errors — the history was damaged or tampered with (exit 5):
/// - a record that cannot be read: it fails authentication (altered, damaged,
///   or copied from another name: the name is bound into the object's key);
/// - a record whose `id` is not its own name;
/// - a record that follows (`previous`, `merged`) a SHA-256 no stored record
///   has: the record it followed was deleted, or rewritten by someone holding
///   the repository's keys.
///
/// Warnings — what concurrent runs leave, not tampering:
/// - a fork: several records follow the same one;
/// - several chain starts: first runs that raced, or records from before the chain;
/// - several records nothing follows yet: the next recorded run joins them.
///
/// What no chain can show: the newest record deleted (nothing follows it yet)
/// — compare `head` with a value noted elsewhere, by monitoring, to catch
/// that — and the whole history rewritten by someone holding the keys.
public struct RunChain: Sendable, Encodable {
    public struct Finding: Sendable, Encodable, Equatable {
        public enum Severity: String, Sendable, Encodable { case error, warning }
        public var severity: Severity
        /// The record concerned, by name.
        public var record: String?
        public var detail: String
    }

    /// Records read (authenticated).
    public var records: Int
    /// SHA-256 and name of the newest record nothing follows.
    public var head: String?
    public var headID: String?
    public var findings: [Finding]

    /// No errors: nothing deleted, altered or unreadable that the chain can see.
    public var intact: Bool { !findings.contains { $0.severity == .error } }

    public init(_ contents: RunHistory.Contents) {
        let entries = contents.entries
        var errors: [Finding] = contents.unreadable.map {
            Finding(severity: .error, record: $0.name, detail: "record \($0.name) cannot be read (altered, damaged, or copied from another name): \($0.reason)")
        }
        var warnings: [Finding] = []
        let byHash = Dictionary(entries.map { ($0.sha256, $0) }, uniquingKeysWith: { first, _ in first })
        let byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let unreadable = Set(contents.unreadable.map(\.name))

        for entry in entries {
            if !entry.record.id.isEmpty, entry.record.id != entry.name {
                errors.append(Finding(severity: .error, record: entry.name, detail: "record \(entry.name) says it is \(entry.record.id)"))
            }
            let links = [entry.record.previous.map { RunRecord.Link(id: entry.record.previousID ?? "", sha256: $0) }].compactMap { $0 }
                + entry.record.merged
            for link in links where byHash[link.sha256] == nil {
                if unreadable.contains(link.id) { continue }
                let hash = link.sha256.prefix(16) + "…"
                let detail: String
                if link.id.isEmpty {
                    detail = "run \(entry.name) follows a record that is not in the repository (sha256 \(hash)): a record was deleted or altered"
                } else if let stored = byName[link.id] {
                    detail = "record \(link.id) was altered: run \(entry.name) follows a version with sha256 \(hash), the stored one has \(stored.sha256.prefix(16))…"
                } else {
                    detail = "record \(link.id) is missing: run \(entry.name) follows it (sha256 \(hash)); a record was deleted from the history"
                }
                errors.append(Finding(severity: .error, record: link.id.isEmpty ? entry.name : link.id, detail: detail))
            }
        }

        let forks = Dictionary(grouping: entries.filter { $0.record.previous != nil }, by: { $0.record.previous ?? "" }).filter { $0.value.count > 1 }
        for (hash, followers) in forks.sorted(by: { ($0.value.first?.name ?? "") < ($1.value.first?.name ?? "") }) {
            let names = followers.map(\.name)
            warnings.append(Finding(severity: .warning, record: byHash[hash]?.name,
                                    detail: "runs \(names.joined(separator: ", ")) all follow \(byHash[hash]?.name ?? "the same record"): they were recorded concurrently"))
        }
        let starts = entries.filter { $0.record.previous == nil }
        if starts.count > 1 {
            warnings.append(Finding(severity: .warning, record: nil,
                                    detail: "\(starts.count) records start a chain (\(starts.map(\.name).joined(separator: ", "))): first runs that raced, or records written before runs were chained"))
        }
        let heads = RunHistory.heads(of: entries)
        if heads.count > 1 {
            warnings.append(Finding(severity: .warning, record: nil,
                                    detail: "\(heads.count) records are not followed by any other (\(heads.map(\.name).joined(separator: ", "))): concurrent runs, or a gap; the next recorded run joins them"))
        }
        records = entries.count
        head = heads.last?.sha256
        headID = heads.last?.name
        findings = errors.sorted { ($0.record ?? "") < ($1.record ?? "") } + warnings
    }

    enum CodingKeys: String, CodingKey {
        case intact, records, head, findings
        case headID = "head_id"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(intact, forKey: .intact)
        try c.encode(records, forKey: .records)
        try c.encode(head, forKey: .head)
        try c.encode(headID, forKey: .headID)
        try c.encode(findings, forKey: .findings)
    }
}
