/// One drill in full, in Markdown — the same content as `DrillDetailHTML`:
/// facts, the error, phases, checks, the RPO measurement and the runbooks.
enum DrillDetailMarkdown {
    /// The detail blocks, with sub-headings of `level` `#`s. With `verdict`,
    /// they start with the RTO and RPO lines and the error (a page with a
    /// verdict of its own shows those there).
    static func blocks(_ drill: DrillRecord, clock: ReportClock, level: Int, verdict: Bool) -> String {
        let heading = String(repeating: "#", count: level)
        var blocks = [facts(drill.facts(clock, objectives: verdict))]
        if verdict, let error = drill.error {
            blocks.append("\(heading) Error\n\n" + Markdown.quote(error))
        }
        blocks.append("\(heading) Phases\n\n" + phases(drill))
        blocks.append("\(heading) Checks\n\n" + checks(drill))
        blocks.append("\(heading) How the RPO was measured\n\n"
            + (drill.rpo.map { facts($0.facts(clock)) } ?? "The drill recorded no RPO measurement."))
        blocks.append("**Runbooks exercised:** "
            + (drill.runbooks.isEmpty ? "none recorded" : drill.runbooks.map(Markdown.runbook).joined(separator: ", ")))
        return blocks.joined(separator: "\n\n")
    }

    /// Drill facts as a two-column table.
    static func facts(_ facts: [DrillFact]) -> String {
        Markdown.facts(facts.map { ($0.label, $0.identifier ? Markdown.code($0.text) : Markdown.text($0.text)) })
    }

    private static func phases(_ drill: DrillRecord) -> String {
        guard !drill.phases.isEmpty else { return "No phase was timed." }
        let total = drill.phaseSeconds
        let rows = drill.phaseTotals(in: RecoveryPhase.legend(for: [drill])).map { phase, seconds in
            [Markdown.text(phase.label), DurationFormat.precise(seconds), RecoveryPhase.share(seconds, of: total),
             Markdown.bar(total > 0 ? seconds / total : 0)]
        }
        return Markdown.table(["Phase", "Duration", "Share", ""], rows + [["**Total**", "**\(DurationFormat.precise(total))**", "", ""]],
                              numeric: [1, 2])
    }

    private static func checks(_ drill: DrillRecord) -> String {
        guard !drill.checks.isEmpty else { return "No verification check ran." }
        return Markdown.table(["Result", "Check", "Detail"], drill.checks.map { check in
            [check.passed ? "✓ passed" : "**✗ FAILED**", Markdown.code(check.name), Markdown.text(check.detail)]
        })
    }
}
