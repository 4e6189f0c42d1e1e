/// The quarterly disaster-recovery report as one self-contained HTML page:
/// inline style and inline SVG charts, no scripts and nothing fetched, laid
/// out to print on A4.
public enum HTMLReport {
    /// The whole document for `report`, dates in `report.timeZone`.
    public static func render(_ report: DRReport) -> String {
        let clock = ReportClock(identifier: report.timeZone)
        let sections = [
            header(report, clock: clock),
            summary(report, clock: clock),
            drills(report, clock: clock),
            phases(report, clock: clock),
            trend(report),
            backups(report, clock: clock),
            wal(report.wal, clock: clock),
            retention(report.retention, clock: clock),
            findings(report),
            details(report, clock: clock),
        ]
        return HTML.document(title: "Disaster-recovery report: \(report.cluster), \(report.period.label)",
                             body: sections.joined(separator: "\n\n"))
    }

    private static func header(_ report: DRReport, clock: ReportClock) -> String {
        """
        <header>
        <h1>Disaster-recovery report: \(HTML.escape(report.cluster))</h1>
        <p class="meta">Period <strong>\(HTML.escape(report.period.label))</strong> (\(HTML.escape(clock.days(of: report.period)))) · \
        generated \(HTML.escape(clock.dateTime(report.generatedAt))) · times in \(HTML.escape(clock.zoneName))</p>
        </header>
        """
    }

    private static func summary(_ report: DRReport, clock: ReportClock) -> String {
        let summary = ExecutiveSummary(report, clock: clock)
        return """
        <section class="summary \(summary.level.styleClass)">
        <p class="verdict">\(HTML.escape(summary.level.headline))</p>
        <p>\(HTML.escape(summary.explanation))</p>
        \(HTML.facts([
            ("Drills passed", HTML.escape(summary.drillsLine)),
            ("Worst RTO", HTML.escape(summary.worstRTO)),
            ("Worst RPO", HTML.escape(summary.worstRPO)),
            ("To act on", HTML.escape(summary.toActOn)),
        ]))
        </section>
        """
    }

    private static func drills(_ report: DRReport, clock: ReportClock) -> String {
        guard !report.drills.isEmpty else {
            return "<h2>Drills</h2>\n" + noDrills(report, clock: clock)
        }
        let rows = report.drills.map { drill in
            HTML.Row([
                HTML.span(clock.day(drill.startedAt), class: "nowrap") + "<br>" + HTML.span(clock.time(drill.startedAt), class: "nowrap"),
                HTML.id(drill.id) + "<br><span class=\"muted\">backup " + HTML.id(drill.backupID ?? "none")
                    + (drill.backupType.map { "<br>" + HTML.escape($0) } ?? "") + "</span>",
                HTML.escape(drill.targetText(clock)),
                HTML.span(drill.outcome.words, class: "badge \(drill.outcome.styleClass)"),
                objective(drill.rtoText, target: drill.rtoTargetSeconds, met: drill.rtoMet, note: nil),
                objective(drill.rpoText, target: drill.rpoTargetSeconds, met: drill.rpoMet,
                          note: drill.rpoFigure == nil ? nil : drill.rpoBasisText),
                HTML.escape(drill.checksText),
            ], styleClass: drill.outcome.styleClass)
        }
        return "<h2>Drills</h2>\n" + HTML.table(["Started", "Drill and backup", "Recovered to", "Outcome", "RTO", "RPO", "Checks"], rows,
                                                class: "drills")
    }

    /// A figure over its verdict and target: `22m10s` / `✗ missed` / `target 15m00s`.
    private static func objective(_ figure: String, target: Double?, met: Bool?, note: String?) -> String {
        var lines = ["<strong>\(HTML.escape(figure))</strong>"]
        if target != nil, let met {
            lines.append(HTML.span(ObjectiveWords.verdict(met), class: met ? "badge pass" : "badge fail"))
        }
        let context = [target.map { "target \(DurationFormat.precise($0))" } ?? "no target", note].compactMap { $0 }
        lines.append(HTML.span(context.joined(separator: ", "), class: "muted"))
        return lines.joined(separator: "<br>")
    }

    private static func noDrills(_ report: DRReport, clock: ReportClock) -> String {
        "<p class=\"badge warn\">▲ No drills in this period.</p>\n<p>No restore drill ran from \(HTML.escape(clock.days(of: report.period))): "
            + "nothing in this period shows that the backups can be restored within the targets.</p>"
    }

    private static func phases(_ report: DRReport, clock: ReportClock) -> String {
        guard !report.drills.isEmpty else {
            return "<h2>Where the recovery time went</h2>\n<p class=\"muted\">No drills in this period, so no phase breakdown.</p>"
        }
        let target = report.rtoTargetSeconds.map { " The dashed line is the RTO target of \(DurationFormat.precise($0))." } ?? ""
        return "<h2>Where the recovery time went</h2>\n" + HTML.figure(
            PhaseChart.svg(report.drills, rtoTarget: report.rtoTargetSeconds, clock: clock),
            caption: "Each bar is one drill, from the declared disaster to a verified, connectable database, split into its phases.\(target)")
    }

    private static func trend(_ report: DRReport) -> String {
        let periods = report.chartPeriods
        let range = periods.count > 1 ? "\(periods.first?.label ?? "") to \(report.period.label)" : report.period.label
        let chart = { (objective: TrendChart.Objective, target: Double?) in
            TrendChart.svg(objective, periods: periods, points: report.trend, target: target, current: report.period)
        }
        return "<h2>Trend</h2>\n" + HTML.figure(
            chart(.rto, report.rtoTargetSeconds) + "\n" + chart(.rpo, report.rpoTargetSeconds),
            caption: "Every drill from \(range) (this period shaded). Dots passed; red crosses did not pass, "
                + "drawn at “none” when the drill produced no figure. Dashed lines are the targets.")
    }

    private static func details(_ report: DRReport, clock: ReportClock) -> String {
        guard !report.drills.isEmpty else { return "" }
        return "<h2>Drill details</h2>\n" + report.drills.map { drill in
            "<section class=\"drill\">\n<h3>Drill \(HTML.id(drill.id)): \(HTML.span(drill.outcome.words, class: "badge \(drill.outcome.styleClass)"))</h3>\n"
                + "<p>\(HTML.escape(drill.outcomeSentence))</p>\n"
                + DrillDetailHTML.blocks(drill, clock: clock, level: 4, verdict: true) + "\n</section>"
        }.joined(separator: "\n")
    }
}
