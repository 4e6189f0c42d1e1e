/// The report's sections on the machinery behind the drills: backups taken
/// and failed, the WAL archive, and retention.
extension HTMLReport {
    static func backups(_ report: DRReport, clock: ReportClock) -> String {
        var html = ["<h2>Backups taken and failed</h2>"]
        let taken = report.backups.taken.filter { $0.count > 0 }
        if taken.isEmpty {
            html.append("<p class=\"badge fail\">✗ No backup was taken in this period.</p>")
        } else {
            let rows = taken.map { type in
                HTML.Row([HTML.escape(type.type), HTML.escape("\(type.count)"), HTML.escape(ByteFormat.string(type.sizeBytes)),
                          HTML.escape(ByteFormat.string(type.storedBytes)), HTML.escape(type.medianSeconds.map(DurationFormat.precise) ?? "–"),
                          HTML.escape(type.last.map(clock.dateTime) ?? "–")])
            }
            html.append(HTML.table(["Type", "Backups", "Size", "Stored", "Median duration", "Last"], rows, numeric: [1, 2, 3, 4]))
        }
        let failed = report.backups.failed
        if failed.isEmpty {
            html.append("<p><span class=\"badge pass\">✓ No backup run failed.</span></p>")
        } else {
            html.append("<h3>\(HTML.escape("✗ \(failed.count) failed backup run\(failed.count == 1 ? "" : "s")"))</h3>")
            let rows = failed.map { failure in
                HTML.Row([HTML.escape(clock.dateTime(failure.startedAt)), HTML.escape(failure.type),
                          "<span class=\"wrap\">\(HTML.escape(failure.error))</span>"], styleClass: "fail")
            }
            html.append(HTML.table(["Started", "Type", "Error"], rows))
        }
        return html.joined(separator: "\n")
    }

    static func wal(_ wal: WALHealth, clock: ReportClock) -> String {
        let range = [wal.firstSegment, wal.lastSegment].compactMap { $0 }.map(HTML.id).joined(separator: " to ")
        let gaps = wal.gaps.isEmpty
            ? HTML.span("✓ none", class: "badge pass")
            : HTML.span("✗ \(wal.gaps.count) gap\(wal.gaps.count == 1 ? "" : "s"): recovery cannot replay past the first", class: "badge fail")
                + "<ul class=\"plain\">" + wal.gaps.map { "<li>\(HTML.id($0))</li>" }.joined() + "</ul>"
        let window: String
        if let from = wal.recoverableFrom, let to = wal.recoverableTo {
            window = HTML.escape("\(clock.dateTime(from)) to \(clock.dateTime(to)) (\(DurationFormat.string(to.timeIntervalSince(from))))")
        } else if let from = wal.recoverableFrom {
            window = HTML.escape("from \(clock.dateTime(from)); no transaction committed since, so that point is the latest")
        } else {
            window = HTML.span("✗ none: no point-in-time recovery is possible now", class: "badge fail")
        }
        return "<h2>WAL archive health</h2>\n" + HTML.facts([
            ("Segments archived in period", HTML.escape("\(wal.segmentsInPeriod) (\(ByteFormat.string(wal.storedBytesInPeriod)) stored)")),
            ("Segments", range.isEmpty ? "none" : range),
            ("Last archived", HTML.escape(wal.lastArchivedAt.map(clock.dateTime) ?? "never")),
            ("Gaps", gaps),
            ("Recoverable window now", window),
        ])
    }

    static func retention(_ retention: RetentionStatus, clock: ReportClock) -> String {
        "<h2>Retention</h2>\n" + HTML.facts([
            ("Rules", HTML.escape(retention.rules)),
            ("Backups kept", HTML.escape("\(retention.backups), \(retention.pinned) of them pinned")),
            ("The next prune would delete", HTML.escape(ExecutiveSummary.count(retention.prunable, "backup"))),
            ("Oldest backup", HTML.escape(retention.oldestBackup.map(clock.dateTime) ?? "none")),
            ("Newest backup", HTML.escape(retention.newestBackup.map(clock.dateTime) ?? "none")),
            ("Stored", HTML.escape(ByteFormat.string(retention.storedBytes))),
        ])
    }

    static func findings(_ report: DRReport) -> String {
        let findings = report.findingsBySeverity
        guard !findings.isEmpty else {
            return "<h2>What failed and what to do</h2>\n<p><span class=\"badge pass\">✓ No findings in this period.</span></p>"
        }
        return "<h2>What failed and what to do</h2>\n" + findings.map { finding in
            let runbook = finding.runbook.map { "\n<p><strong>Runbook:</strong> \(HTML.runbook($0))</p>" } ?? ""
            return """
            <div class="finding \(finding.severity.rawValue)">
            <h3>\(HTML.span(finding.severity.words, class: "badge \(finding.severity.styleClass)")): \(HTML.escape(finding.title))</h3>
            <p class="wrap">\(HTML.escape(finding.detail))</p>
            <p><strong>What to do:</strong> \(HTML.escape(finding.action))</p>\(runbook)
            </div>
            """
        }.joined(separator: "\n")
    }
}
