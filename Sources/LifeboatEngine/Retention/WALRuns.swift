/// The archived WAL as runs of consecutive segments: how far recovery can read
/// from a given segment without a gap.
struct WALRuns {
    /// For each archived segment: the last segment of its run.
    private var runEnd: [UInt64: UInt64] = [:]

    init(_ segments: [ArchivedSegment]) {
        for number in Set(segments.map(\.number)).sorted(by: >) {
            runEnd[number] = number < UInt64.max ? runEnd[number + 1] ?? number : number
        }
    }

    /// The last segment reachable from `start` without a gap; nil when `start` is not archived.
    func reach(from start: UInt64) -> UInt64? { runEnd[start] }
}
