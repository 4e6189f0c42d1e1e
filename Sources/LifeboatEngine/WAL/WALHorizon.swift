import Postgres

/// The archive as it stood at one moment: WAL files up to and including the
/// segment `last` (on its timeline or an earlier one). A drill recovers only
/// through this horizon — what a real disaster at the drill's start would have
/// left in the repository — even though the live server goes on archiving
/// while the drill runs. `wal-fetch --until` answers "not archived" for
/// anything past it.
public struct WALHorizon: Sendable, Equatable {
    /// The newest segment archived at the moment.
    public let last: WALFileName

    public init(last: WALFileName) { self.last = last }

    /// Whether `file` was within the archive at the moment.
    public func admits(_ file: WALFileName) -> Bool {
        guard file.timeline <= last.timeline else { return false }
        if file.kind == .timelineHistory { return true }
        return (file.log, file.segmentInLog) <= (last.log, last.segmentInLog)
    }

    /// The newest segment archived on `timeline` (the one recovery follows) or
    /// before it; nil when there is none.
    public static func current(of entries: [WALArchive.Entry], timeline: UInt32) -> WALHorizon? {
        entries.map(\.file).filter { $0.kind == .segment && $0.timeline <= timeline }.max().map(WALHorizon.init(last:))
    }
}
