import Foundation
import Postgres

/// What PostgreSQL's log says about the recovery it just finished (the scratch
/// server logs in UTC):
///
/// ```
/// LOG:  redo done at 0/5000148 system usage: CPU: …
/// LOG:  last completed transaction was at log time 2026-11-22 06:00:41.123456+00
/// ```
public struct RecoveryLog: Sendable, Equatable {
    /// Where the last record replayed starts.
    public var redoDone: LSN?
    /// The commit (or abort) time of the last transaction replayed.
    public var lastTransaction: Date?

    public init(log: String) {
        var redoDone: LSN?
        var lastTransaction: Date?
        for line in log.split(separator: "\n") {
            if let range = line.range(of: "redo done at ") {
                redoDone = line[range.upperBound...].split(separator: " ").first.flatMap { LSN(String($0)) }
            } else if let range = line.range(of: "last completed transaction was at log time ") {
                let text = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
                lastTransaction = RecoveryTarget.parseTime(text, zone: TimeZone(identifier: "UTC") ?? .current)
            }
        }
        self.redoDone = redoDone
        self.lastTransaction = lastTransaction
    }
}
