/// One drill in full, in HTML: its facts, the error if it failed, the phases,
/// the checks, how the RPO was measured (and the worst case), and the
/// runbooks it exercised. Both the quarterly report and the single-drill
/// document show drills this way.
enum DrillDetailHTML {
    /// The detail blocks, with sub-headings at `<h\(level)>`. With
    /// `verdict`, they start with what a page that has no verdict box of its
    /// own needs: the RTO and RPO lines, and the error.
    static func blocks(_ drill: DrillRecord, clock: ReportClock, level: Int, verdict: Bool) -> String {
        var html = [facts(drill.facts(clock, objectives: verdict))]
        if verdict, let error = drill.error {
            html.append(heading("Error", level))
            html.append(self.error(error))
        }
        html.append(heading("Phases", level))
        html.append(phases(drill))
        html.append(heading("Checks", level))
        html.append(checks(drill))
        html.append(heading("How the RPO was measured", level))
        html.append(drill.rpo.map { facts($0.facts(clock)) } ?? "<p class=\"muted\">The drill recorded no RPO measurement.</p>")
        html.append("<p><strong>Runbooks exercised:</strong> "
            + (drill.runbooks.isEmpty ? "none recorded" : drill.runbooks.map(HTML.runbook).joined(separator: ", ")) + "</p>")
        return html.joined(separator: "\n")
    }

    /// Drill facts as a two-column table.
    static func facts(_ facts: [DrillFact]) -> String {
        HTML.facts(facts.map { ($0.label, $0.identifier ? HTML.id($0.text) : "<span class=\"wrap\">\(HTML.escape($0.text))</span>") })
    }

    /// A drill's error, verbatim (escaped), line breaks kept.
    static func error(_ text: String) -> String {
        "<pre class=\"error\">\(HTML.escape(text))</pre>"
    }

    private static func heading(_ text: String, _ level: Int) -> String {
        "<h\(level)>\(HTML.escape(text))</h\(level)>"
    }

    private static func phases(_ drill: DrillRecord) -> String {
        guard !drill.phases.isEmpty else { return "<p class=\"muted\">No phase was timed.</p>" }
        let total = drill.phaseSeconds
        let rows = drill.phaseTotals(in: RecoveryPhase.legend(for: [drill])).map { phase, seconds in
            HTML.Row([HTML.escape(phase.label), HTML.escape(DurationFormat.precise(seconds)), HTML.escape(RecoveryPhase.share(seconds, of: total))])
        }
        let totalRow = HTML.Row(["<strong>Total</strong>", "<strong>\(HTML.escape(DurationFormat.precise(total)))</strong>", ""])
        return HTML.table(["Phase", "Duration", "Share"], rows + [totalRow], numeric: [1, 2])
    }

    private static func checks(_ drill: DrillRecord) -> String {
        guard !drill.checks.isEmpty else { return "<p class=\"muted\">No verification check ran.</p>" }
        let rows = drill.checks.map { check in
            HTML.Row([HTML.span(check.passed ? "✓ passed" : "✗ FAILED", class: check.passed ? "badge pass" : "badge fail"), HTML.id(check.name),
                      "<span class=\"wrap\">\(HTML.escape(check.detail))</span>"],
                     styleClass: check.passed ? "pass" : "fail")
        }
        return HTML.table(["Result", "Check", "Detail"], rows)
    }
}

