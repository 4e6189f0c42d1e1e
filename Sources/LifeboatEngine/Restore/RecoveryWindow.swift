import Foundation
import Postgres

/// The span point-in-time recovery can reach: from the moment the oldest usable
/// physical backup is consistent to the last transaction in the WAL that
/// follows on from it without a gap.
public struct RecoveryWindow: Sendable, Equatable, CustomStringConvertible {
    public var from: Date
    public var fromLSN: LSN
    public var fromBackup: String
    /// The last transaction (commit or abort) recovery can replay, when any
    /// happened after the backup; a time target must be earlier than this.
    public var to: Date?
    /// The end of the last complete WAL record reachable.
    public var toLSN: LSN
    /// Where that record starts: an LSN target must not be past it.
    public var lastRecordLSN: LSN

    public var description: String {
        let end = to.map { RecoveryTarget.format($0) } ?? "(no transaction since)"
        return "\(RecoveryTarget.format(from)) (LSN \(fromLSN), backup \(fromBackup)) to \(end) (LSN \(toLSN))"
    }
}
