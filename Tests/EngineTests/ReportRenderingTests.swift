import Foundation
import LifeboatEngine
import Testing

/// The quarterly report and the single-drill report as an operator reads
/// them: one self-contained page, every drill present, misses shown as
/// misses, hostile text inert, failures paired with what to do.
@Suite struct ReportRenderingTests {
    let report = ReportRenderingFixture.report()
    let drills = ReportRenderingFixture.drills

    /// The `<tr …>…</tr>` of the first table row that mentions `text`.
    func row(_ html: String, containing text: String) -> String? {
        html.components(separatedBy: "<tr").first { $0.contains(text) }
    }

    /// The HTML tags in Markdown: a `<` that starts a tag and is not backslash-escaped.
    func htmlTags(_ markdown: String) -> [String] {
        markdown.matches(of: /(?:^|[^\\])<[A-Za-z\/!?][^>\n]*>?/.anchorsMatchLineEndings()).map { String($0.output) }
    }

    /// The text from `heading` to the next `<h2>` (or the end).
    func section(_ document: String, _ heading: String) -> String? {
        guard let start = document.range(of: heading) else { return nil }
        let rest = document[start.upperBound...]
        let end = rest.range(of: "<h2>")?.lowerBound ?? rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex
        return String(rest[..<end])
    }

    @Test func htmlIsOneSelfContainedPrintableDocument() {
        let html = HTMLReport.render(report)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<html").count == 2)
        #expect(html.components(separatedBy: "</html>").count == 2)
        for external in ["http://", "https://", "src=", "url(", "@import", "<script", "<link"] {
            #expect(!html.lowercased().contains(external), "references \(external)")
        }
        #expect(html.contains("@page { size: A4; margin: 15mm; }"))
        #expect(html.contains("break-inside: avoid"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 3, "phase chart, RTO trend, RPO trend")
        #expect(html.components(separatedBy: "<svg").count == html.components(separatedBy: "</svg>").count)
    }

    @Test func headerNamesClusterPeriodAndGenerationTimeInTheReportsZone() {
        let utc = HTMLReport.render(report)
        #expect(utc.contains("Disaster-recovery report: lms"))
        #expect(utc.contains("2026-Q4"))
        #expect(utc.contains("2026-10-01 to 2026-12-31"))
        #expect(utc.contains("generated 2026-12-31 18:00 UTC"))

        let berlin = HTMLReport.render(ReportRenderingFixture.report(timeZone: "Europe/Berlin"))
        #expect(berlin.contains("generated 2026-12-31 19:00"))
        #expect(berlin.contains("times in Europe/Berlin"))
        #expect(!berlin.contains("2026-12-31 18:00"))

        let unknown = MarkdownReport.render(ReportRenderingFixture.report(timeZone: "Mars/Olympus_Mons"))
        #expect(unknown.contains("generated 2026-12-31 18:00 UTC"))
    }

    @Test func everyDrillAppearsInBothFormats() {
        let html = HTMLReport.render(report)
        let markdown = MarkdownReport.render(report)
        for drill in drills {
            #expect(html.components(separatedBy: drill.id).count - 1 >= 3, "table, phase chart and details name \(drill.id)")
            #expect(markdown.components(separatedBy: drill.id).count - 1 >= 3, "table, phase table and details name \(drill.id)")
        }
    }

    @Test func missedRTOIsShownAsMissedAndMetRTOAsMet() throws {
        let html = HTMLReport.render(report)
        let missed = try #require(row(html, containing: "20261025T060000Z-1b7e"))
        #expect(missed.hasPrefix(" class=\"warn\""))
        #expect(missed.contains("22m10s"))
        #expect(missed.contains("✗ missed</span><br><span class=\"muted\">target 15m00s</span>"))
        #expect(missed.contains("Objectives missed"))
        let passed = try #require(row(html, containing: "20261004T060000Z-8c1d"))
        #expect(passed.contains("6m53s"))
        #expect(passed.contains("✓ met</span><br><span class=\"muted\">target 15m00s</span>"))
        #expect(!passed.contains("missed"))

        let summary = try #require(section(html, "class=\"summary"))
        #expect(summary.contains("✗ At risk"))
        #expect(summary.contains("1 of 4"))
        #expect(summary.contains("Worst RTO"))
        #expect(summary.contains("not reached (drill 20261122T060000Z-f00d did not restore)"))
        #expect(summary.contains("at most 3m00s of 5m00s target: ✓ met (not measured in 1 drill)"))

        let markdown = MarkdownReport.render(report)
        let markdownRow = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("| ") && $0.contains("20261025T060000Z-1b7e") })
        #expect(markdownRow.contains("22m10s / 15m00s ✗ missed"))
    }

    @Test func hostileTextIsEscapedInHTMLAndInertInMarkdown() {
        let html = HTMLReport.render(report)
        #expect(!html.contains("<script"))
        #expect(!html.contains("</td></table> "))
        #expect(html.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &#39;more&#39; &lt;/td&gt;&lt;/table&gt;"))
        #expect(html.contains("total &lt; 0 | expected 0 rows, got 3"))

        let markdown = MarkdownReport.render(report)
        #expect(htmlTags(markdown).isEmpty, "no HTML of any kind")
        #expect(markdown.contains("\\<script\\>alert(\"pwned\")\\</script\\> \\& 'more' \\</td\\>\\</table\\>"))
        #expect(markdown.contains("total \\< 0 \\| expected 0 rows, got 3"), "a | in a cell does not split the table")
    }

    @Test func failureListNamesFindingsMostSeriousFirstWithRunbookLinks() throws {
        let html = HTMLReport.render(report)
        let failures = try #require(section(html, "<h2>What failed and what to do</h2>"))
        let titles = ["could not start the server", "SQL check failed", "RTO over target", "2 backups can be pruned"]
        let positions = try titles.map { try #require(failures.range(of: $0)).lowerBound }
        #expect(positions == positions.sorted(), "problems, then warnings, then notes")
        #expect(failures.contains("<a href=\"runbooks/restore-latest-backup.md\">runbooks/restore-latest-backup.md</a>"))
        #expect(failures.contains("href=\"runbooks/verify-a-restore.md\""))
        #expect(failures.contains("href=\"runbooks/tune-restore-speed.md\""))
        #expect(failures.contains("Restore the latest backup by hand"))
        #expect(failures.contains("✗ Problem"))

        let markdown = MarkdownReport.render(report)
        let list = try #require(section(markdown, "## What failed and what to do"))
        #expect(list.contains("1. **✗ Problem: Drill 20261122T060000Z-f00d could not start the server**"))
        #expect(list.contains("[runbooks/restore-latest-backup.md](runbooks/restore-latest-backup.md)"))
        #expect(list.contains("4. **• Note: 2 backups can be pruned**"))
    }

    @Test func runbookNamesCannotBreakOutOfTheirLink() {
        let finding = ReportFinding(severity: .problem, title: "t", detail: "d", action: "a", runbook: "my \"runbook\" (v2).md")
        let html = HTMLReport.render(ReportRenderingFixture.report(findings: [finding]))
        #expect(html.contains("href=\"runbooks/my%20%22runbook%22%20%28v2%29.md\""))
        let markdown = MarkdownReport.render(ReportRenderingFixture.report(findings: [finding]))
        #expect(markdown.contains("(runbooks/my%20%22runbook%22%20%28v2%29.md)"))
    }

    @Test func markdownHasOneTableRowPerDrillAndNoHTML() throws {
        let markdown = MarkdownReport.render(report)
        #expect(htmlTags(markdown).isEmpty)
        #expect(!markdown.contains("http"))
        let table = try #require(section(markdown, "## Drills"))
        let rows = table.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| Started") && !$0.hasPrefix("| ---") }
        #expect(rows.count == drills.count)
        for (row, drill) in zip(rows, drills) {
            #expect(row.contains(drill.id))
            #expect(row.split(separator: "|", omittingEmptySubsequences: false).count == 10, "8 cells: \(row)")
        }
        #expect(markdown.contains("## Where the recovery time went"))
        #expect(markdown.contains("█"))
        #expect(markdown.contains("## Trend"))
        #expect(markdown.contains("| **2026-Q4** | 4 | 1 | 22m10s, 1 not reached | 3m00s |"))
        #expect(markdown.contains("| 2026-Q2 | 0 | 0 | – | – |"))
    }

    @Test func emptyPeriodSaysSoAndStillShowsBackupsAndWAL() throws {
        let empty = ReportRenderingFixture.report(drills: [], findings: [])
        let html = HTMLReport.render(empty)
        #expect(html.contains("No drills in this period"))
        #expect(html.contains("▲ Not demonstrated"))
        #expect(html.contains("<h2>Backups taken and failed</h2>"))
        #expect(html.contains("<h2>WAL archive health</h2>"))
        #expect(html.contains("<h2>Retention</h2>"))
        #expect(html.contains("11482 (54.0 GiB stored)"))
        #expect(html.contains("No findings in this period"))
        #expect(!html.contains("<h2>Drill details</h2>"))
        #expect(html.contains("<svg"), "the trend still shows earlier periods")

        let markdown = MarkdownReport.render(empty)
        #expect(markdown.contains("No drills in this period"))
        #expect(markdown.contains("## Backups taken and failed"))
        #expect(markdown.contains("## WAL archive health"))
        #expect(htmlTags(markdown).isEmpty)
    }

    @Test func chartsCopeWithOneDrillMissingFiguresAndZeroRPO() throws {
        let zero = ReportRenderingFixture.drill(id: "one-drill", started: "2026-12-01T06:00:00Z", backup: "b", type: "physical",
                                                outcome: .passed, rto: 41.2, rpo: 0, basis: .measured,
                                                phases: ReportRenderingFixture.phases(10, 20, 0, 11.2), checks: [])
        var lonely = ReportRenderingFixture.report(drills: [zero], findings: [])
        lonely.trend = [TrendPoint(drillID: zero.id, startedAt: zero.startedAt, rtoSeconds: 41.2, rpoSeconds: 0, passed: true)]
        lonely.trendPeriods = []
        lonely.rtoTargetSeconds = nil
        lonely.rpoTargetSeconds = nil
        let html = HTMLReport.render(lonely)
        #expect(html.contains("41.2s"))
        #expect(html.contains("✓ On track"))
        for broken in ["nan", "infinity", "=\"-"] {
            #expect(!html.lowercased().contains(broken), "\(broken) in a chart")
        }

        var failedOnly = ReportRenderingFixture.report(drills: [drills[3]], findings: [])
        failedOnly.trend = [TrendPoint(drillID: drills[3].id, startedAt: drills[3].startedAt, rtoSeconds: nil, rpoSeconds: nil, passed: false)]
        let failedHTML = HTMLReport.render(failedOnly)
        #expect(failedHTML.contains("✗ failed"), "the bar says how the drill ended")
        #expect(failedHTML.contains(">none</text>"), "the trend marks a drill without a figure")
        #expect(!failedHTML.lowercased().contains("nan"))
    }

    @Test func singleDrillReportsGiveVerdictFiguresChecksRPOAndRunbooks() throws {
        let missed = DrillReportDocument.html(drills[1])
        #expect(missed.hasPrefix("<!DOCTYPE html>"))
        #expect(missed.contains("<svg"))
        #expect(missed.contains("▲ Objectives missed"))
        #expect(missed.contains("recovery took 22m10s, over the RTO target of 15m00s"))
        #expect(missed.contains("22m10s of 15m00s target: ✗ missed"))
        #expect(missed.contains("up to 1m00s: archive_timeout is 1min"))
        #expect(missed.contains("<a href=\"runbooks/run-a-drill.md\">runbooks/run-a-drill.md</a>"))
        #expect(!missed.contains("https://") && !missed.contains("http://"))

        let failed = DrillReportDocument.html(drills[3], timeZone: "Europe/Berlin")
        #expect(failed.contains("✗ Failed"))
        #expect(failed.contains("<pre class=\"error\">pg_ctl: could not start server &lt;script&gt;"))
        #expect(!failed.contains("<script"))
        #expect(failed.contains("2026-11-22 07:00"))

        let checks = DrillReportDocument.markdown(drills[2])
        #expect(checks.contains("**✗ FAILED** | `sql: negative order totals`"))
        #expect(checks.contains("at most 3m00s of 5m00s target: ✓ met (upper bound)"))
        #expect(checks.contains("**Runbooks exercised:** [runbooks/restore-latest-backup.md](runbooks/restore-latest-backup.md), [runbooks/run-a-drill.md]"))
        #expect(htmlTags(checks).isEmpty)

        let failedMarkdown = DrillReportDocument.markdown(drills[3])
        #expect(failedMarkdown.contains("**Error:**\n\n> pg\\_ctl: could not start server \\<script\\>"))
        #expect(htmlTags(failedMarkdown).isEmpty)
    }
}
