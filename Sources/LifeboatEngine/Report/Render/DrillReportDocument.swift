/// The report of a single restore drill (`lifeboat drill --report`, or one
/// drill looked up later): the verdict, RTO and RPO against the targets the
/// drill recorded, the error if it failed, its phase bar, checks, how the
/// RPO was measured (and the worst case), and the runbooks it exercised.
public enum DrillReportDocument {
    /// The drill as GitHub-flavoured Markdown; dates in `timeZone` (an
    /// identifier such as `Europe/Berlin`; UTC when unknown).
    public static func markdown(_ drill: DrillRecord, timeZone: String = "UTC") -> String {
        let clock = ReportClock(identifier: timeZone)
        var blocks = [
            "# Restore drill \(Markdown.text(drill.id)): \(Markdown.text(drill.cluster))",
            "Started \(Markdown.text(clock.dateTime(drill.startedAt))) on \(Markdown.text(drill.host)) · times in \(Markdown.text(clock.zoneName))",
            "**\(Markdown.text(drill.outcome.words)).** \(Markdown.text(drill.outcomeSentence))",
            Markdown.facts([("RTO", Markdown.text(drill.rtoLine)), ("RPO", Markdown.text(drill.rpoLine))]),
        ]
        if let error = drill.error {
            blocks.append("**Error:**\n\n" + Markdown.quote(error))
        }
        blocks += ["## Details", DrillDetailMarkdown.blocks(drill, clock: clock, level: 3, verdict: false)]
        return blocks.joined(separator: "\n\n") + "\n"
    }

    /// The drill as one self-contained HTML page, styled and printable like
    /// the quarterly report; dates in `timeZone` (UTC when unknown).
    public static func html(_ drill: DrillRecord, timeZone: String = "UTC") -> String {
        let clock = ReportClock(identifier: timeZone)
        let chart = drill.phases.isEmpty ? "" : "<h2>Where the recovery time went</h2>\n" + HTML.figure(
            PhaseChart.svg([drill], rtoTarget: drill.rtoTargetSeconds, clock: clock),
            caption: "From the declared disaster to a verified, connectable database, by phase."
                + (drill.rtoTargetSeconds.map { " The dashed line is the RTO target of \(DurationFormat.precise($0))." } ?? ""))
        let body = """
        <header>
        <h1>Restore drill \(HTML.id(drill.id)): \(HTML.escape(drill.cluster))</h1>
        <p class="meta">Started \(HTML.escape(clock.dateTime(drill.startedAt))) on \(HTML.escape(drill.host)) · \
        times in \(HTML.escape(clock.zoneName))</p>
        </header>
        <section class="summary \(drill.outcome.styleClass)">
        <p class="verdict">\(HTML.escape(drill.outcome.words))</p>
        <p>\(HTML.escape(drill.outcomeSentence))</p>
        \(DrillDetailHTML.facts([DrillFact(label: "RTO", text: drill.rtoLine), DrillFact(label: "RPO", text: drill.rpoLine)]))
        \(drill.error.map(DrillDetailHTML.error) ?? "")
        </section>
        \(chart)
        <h2>Details</h2>
        \(DrillDetailHTML.blocks(drill, clock: clock, level: 3, verdict: false))
        """
        return HTML.document(title: "Restore drill \(drill.id): \(drill.cluster)", body: body)
    }
}
