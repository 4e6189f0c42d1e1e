/// A labelled fact about a drill, listed the same way by the HTML and the
/// Markdown renderers; identifiers show in monospace.
struct DrillFact {
    let label: String
    let text: String
    var identifier = false
}

extension DrillRecord {
    /// When, from what, to where, with what result, and on which machine;
    /// the RTO and RPO lines only with `objectives` (a page that shows them
    /// elsewhere leaves them out).
    func facts(_ clock: ReportClock, objectives: Bool) -> [DrillFact] {
        var facts = [
            DrillFact(label: "Disaster declared", text: "\(clock.dateTime(startedAt)) (drill finished \(clock.dateTime(finishedAt)))"),
            DrillFact(label: "Backup restored", text: backupText, identifier: true),
            DrillFact(label: "Recovered to", text: targetText(clock)),
        ]
        if objectives {
            facts += [DrillFact(label: "RTO", text: rtoLine), DrillFact(label: "RPO", text: rpoLine)]
        }
        let versions = [serverVersion.map { "PostgreSQL \($0)" }, "lifeboat \(lifeboatVersion)"].compactMap { $0 }
        facts += [
            DrillFact(label: "Checks", text: checksText),
            DrillFact(label: "Ran on", text: ([host] + versions).joined(separator: ", ")),
        ]
        return facts
    }
}

extension DrillRecord.RPOMeasurement {
    /// What the restored database reflects, what the source had, the worst
    /// case the policy allows, and how the figure was obtained.
    func facts(_ clock: ReportClock) -> [DrillFact] {
        [
            DrillFact(label: "Restored database reflects", text: recoveredToText(clock)),
            DrillFact(label: "Last commit on the source", text: lastSourceCommitText(clock)),
            DrillFact(label: "Worst case the policy allows", text: worstCaseText),
            DrillFact(label: "How it was measured", text: detail),
        ]
    }
}

extension DrillRecord.RPOMeasurement {
    /// The moment the restored database reflects, or `unknown`.
    func recoveredToText(_ clock: ReportClock) -> String {
        recoveredTo.map(clock.dateTime) ?? "unknown"
    }

    /// The source's last commit before the disaster, or why none is shown:
    /// nothing was lost (measured), or nobody could tell.
    func lastSourceCommitText(_ clock: ReportClock) -> String {
        if let lastSourceCommit { return clock.dateTime(lastSourceCommit) }
        return basis == .measured ? "none later: no commit was lost" : "not known"
    }

    /// `up to 1m00s: archive_timeout is 1min`, `unbounded or unknown: …`.
    var worstCaseText: String {
        let bound = worstCaseSeconds.map { "up to \(DurationFormat.precise($0))" } ?? "unbounded or unknown"
        return worstCase.isEmpty ? bound : "\(bound): \(worstCase)"
    }
}
