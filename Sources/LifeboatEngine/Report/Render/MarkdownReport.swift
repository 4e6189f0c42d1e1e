/// The quarterly disaster-recovery report as GitHub-flavoured Markdown, for
/// pasting into a ticket: the same sections as `HTMLReport`, with tables and
/// text bars instead of charts, and no HTML at all.
public enum MarkdownReport {
    /// The whole document for `report`, dates in `report.timeZone`.
    public static func render(_ report: DRReport) -> String {
        let clock = ReportClock(identifier: report.timeZone)
        let sections = [
            header(report, clock: clock),
            summary(report, clock: clock),
            drills(report, clock: clock),
            phases(report),
            trend(report),
            backups(report, clock: clock),
            wal(report.wal, clock: clock),
            retention(report.retention, clock: clock),
            findings(report),
            details(report, clock: clock),
        ]
        return sections.filter { !$0.isEmpty }.joined(separator: "\n\n") + "\n"
    }

    private static func header(_ report: DRReport, clock: ReportClock) -> String {
        """
        # Disaster-recovery report: \(Markdown.text(report.cluster)), \(Markdown.text(report.period.label))

        Period \(Markdown.text(report.period.label)) (\(clock.days(of: report.period))) · generated \(Markdown.text(clock.dateTime(report.generatedAt))) · \
        times in \(Markdown.text(clock.zoneName))
        """
    }

    private static func summary(_ report: DRReport, clock: ReportClock) -> String {
        let summary = ExecutiveSummary(report, clock: clock)
        return """
        ## Summary

        **\(Markdown.text(summary.level.headline)).** \(Markdown.text(summary.explanation))

        \(Markdown.facts([
            ("Drills passed", Markdown.text(summary.drillsLine)),
            ("Worst RTO", Markdown.text(summary.worstRTO)),
            ("Worst RPO", Markdown.text(summary.worstRPO)),
            ("To act on", Markdown.text(summary.toActOn)),
        ]))
        """
    }

    private static func drills(_ report: DRReport, clock: ReportClock) -> String {
        guard !report.drills.isEmpty else {
            return "## Drills\n\n**▲ No drills in this period.** No restore drill ran from \(clock.days(of: report.period)): "
                + "nothing in this period shows that the backups can be restored within the targets."
        }
        let rows = report.drills.map { drill in
            [Markdown.text(clock.dateTime(drill.startedAt)), Markdown.code(drill.id), Markdown.code(drill.backupText),
             Markdown.text(drill.targetText(clock)), "**\(Markdown.text(drill.outcome.words))**",
             Markdown.text(objective(drill.rtoText, value: drill.rtoSeconds, target: drill.rtoTargetSeconds, met: drill.rtoMet)),
             Markdown.text(objective(drill.rpoText, value: drill.rpoFigure, target: drill.rpoTargetSeconds, met: drill.rpoMet)
                + (drill.rpoFigure == nil ? "" : " (\(drill.rpoBasisText))")),
             Markdown.text(drill.checksText)]
        }
        return "## Drills\n\n" + Markdown.table(["Started", "Drill", "Backup", "Recovered to", "Outcome", "RTO vs target",
                                                 "RPO vs target", "Checks"], rows)
    }

    /// `14m05s / 15m00s ✓ met`, `41.2s (no target)`, `not reached (target 15m00s): ✗ missed`.
    private static func objective(_ figure: String, value: Double?, target: Double?, met: Bool?) -> String {
        guard let target, value != nil else { return ObjectiveWords.line(figure, value: value, target: target, met: met) }
        return "\(figure) / \(DurationFormat.precise(target)) \(ObjectiveWords.verdict(met))"
    }

    private static func phases(_ report: DRReport) -> String {
        guard !report.drills.isEmpty else { return "" }
        let legend = RecoveryPhase.legend(for: report.drills)
        let longest = max(report.drills.map(\.phaseSeconds).max() ?? 0, report.rtoTargetSeconds ?? 0)
        let rows = report.drills.map { drill in
            let totals = drill.phaseTotals(in: legend)
            let cells = legend.map { phase in
                totals.first { $0.phase == phase }.map { DurationFormat.precise($0.seconds) } ?? "–"
            }
            let total = drill.rtoSeconds.map(DurationFormat.precise) ?? "✗ failed after \(DurationFormat.precise(drill.phaseSeconds))"
            return [Markdown.code(drill.id)] + cells + [Markdown.text(total), Markdown.bar(longest > 0 ? drill.phaseSeconds / longest : 0)]
        }
        let scale = report.rtoTargetSeconds.map { target in
            " The bars share one scale; the RTO target of \(DurationFormat.precise(target)) would be \(Markdown.bar(target / longest))."
        } ?? ""
        return "## Where the recovery time went\n\n"
            + Markdown.table(["Drill"] + legend.map(\.label) + ["Total", ""], rows, numeric: Set(1...legend.count + 1))
            + "\n\nEach row is one drill, from the declared disaster to a verified, connectable database.\(scale)"
    }

    private static func trend(_ report: DRReport) -> String {
        let rows = report.chartPeriods.map { period -> [String] in
            let points = report.trend.filter { period.contains($0.startedAt) }
            let unreached = points.filter { $0.rtoSeconds == nil }.count
            let worstRTO = points.compactMap(\.rtoSeconds).max().map(DurationFormat.precise)
            let worstRPO = points.compactMap(\.rpoSeconds).max().map(DurationFormat.precise) ?? "–"
            let rtoParts = [worstRTO, unreached > 0 ? "\(unreached) not reached" : nil].compactMap { $0 }
            let label = period == report.period ? "**\(Markdown.text(period.label))**" : Markdown.text(period.label)
            return [label, "\(points.count)", "\(points.filter(\.passed).count)",
                    rtoParts.isEmpty ? "–" : rtoParts.joined(separator: ", "), worstRPO]
        }
        let targets = [report.rtoTargetSeconds.map { "RTO target \(DurationFormat.precise($0))" },
                       report.rpoTargetSeconds.map { "RPO target \(DurationFormat.precise($0))" }].compactMap { $0 }
        return "## Trend\n\n" + Markdown.table(["Period", "Drills", "Passed", "Worst RTO", "Worst RPO"], rows, numeric: [1, 2, 3, 4])
            + (targets.isEmpty ? "" : "\n\n" + targets.joined(separator: ", ") + ".")
    }

    private static func details(_ report: DRReport, clock: ReportClock) -> String {
        guard !report.drills.isEmpty else { return "" }
        return "## Drill details\n\n" + report.drills.map { drill in
            "### Drill \(Markdown.text(drill.id)): \(Markdown.text(drill.outcome.words))\n\n"
                + Markdown.text(drill.outcomeSentence) + "\n\n"
                + DrillDetailMarkdown.blocks(drill, clock: clock, level: 4, verdict: true)
        }.joined(separator: "\n\n")
    }
}
