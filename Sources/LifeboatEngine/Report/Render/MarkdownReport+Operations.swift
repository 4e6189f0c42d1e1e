/// The Markdown report's sections on backups, the WAL archive, retention,
/// and what failed — the same content as `HTMLReport`'s.
extension MarkdownReport {
    static func backups(_ report: DRReport, clock: ReportClock) -> String {
        var blocks = ["## Backups taken and failed"]
        let taken = report.backups.taken.filter { $0.count > 0 }
        if taken.isEmpty {
            blocks.append("**✗ No backup was taken in this period.**")
        } else {
            blocks.append(Markdown.table(["Type", "Backups", "Size", "Stored", "Median duration", "Last"], taken.map { type in
                [Markdown.text(type.type), "\(type.count)", ByteFormat.string(type.sizeBytes), ByteFormat.string(type.storedBytes),
                 type.medianSeconds.map(DurationFormat.precise) ?? "–", Markdown.text(type.last.map(clock.dateTime) ?? "–")]
            }, numeric: [1, 2, 3, 4]))
        }
        let failed = report.backups.failed
        if failed.isEmpty {
            blocks.append("✓ No backup run failed.")
        } else {
            blocks.append("**✗ \(failed.count) failed backup run\(failed.count == 1 ? "" : "s"):**")
            blocks.append(Markdown.table(["Started", "Type", "Error"], failed.map { failure in
                [Markdown.text(clock.dateTime(failure.startedAt)), Markdown.text(failure.type), Markdown.text(failure.error)]
            }))
        }
        return blocks.joined(separator: "\n\n")
    }

    static func wal(_ wal: WALHealth, clock: ReportClock) -> String {
        let range = [wal.firstSegment, wal.lastSegment].compactMap { $0 }.map(Markdown.code).joined(separator: " to ")
        let gaps = wal.gaps.isEmpty ? "✓ none"
            : "**✗ \(wal.gaps.count) gap\(wal.gaps.count == 1 ? "" : "s"):** " + wal.gaps.map(Markdown.code).joined(separator: ", ")
        let window: String
        if let from = wal.recoverableFrom, let to = wal.recoverableTo {
            window = Markdown.text("\(clock.dateTime(from)) to \(clock.dateTime(to)) (\(DurationFormat.string(to.timeIntervalSince(from))))")
        } else if let from = wal.recoverableFrom {
            window = Markdown.text("from \(clock.dateTime(from)); no transaction committed since, so that point is the latest")
        } else {
            window = "**✗ none:** no point-in-time recovery is possible now"
        }
        return "## WAL archive health\n\n" + Markdown.facts([
            ("Segments archived in period", "\(wal.segmentsInPeriod) (\(ByteFormat.string(wal.storedBytesInPeriod)) stored)"),
            ("Segments", range.isEmpty ? "none" : range),
            ("Last archived", Markdown.text(wal.lastArchivedAt.map(clock.dateTime) ?? "never")),
            ("Gaps", gaps),
            ("Recoverable window now", window),
        ])
    }

    static func retention(_ retention: RetentionStatus, clock: ReportClock) -> String {
        "## Retention\n\n" + Markdown.facts([
            ("Rules", Markdown.text(retention.rules)),
            ("Backups kept", "\(retention.backups), \(retention.pinned) of them pinned"),
            ("The next prune would delete", ExecutiveSummary.count(retention.prunable, "backup")),
            ("Oldest backup", Markdown.text(retention.oldestBackup.map(clock.dateTime) ?? "none")),
            ("Newest backup", Markdown.text(retention.newestBackup.map(clock.dateTime) ?? "none")),
            ("Stored", ByteFormat.string(retention.storedBytes)),
        ])
    }

    static func findings(_ report: DRReport) -> String {
        let findings = report.findingsBySeverity
        guard !findings.isEmpty else { return "## What failed and what to do\n\n✓ No findings in this period." }
        return "## What failed and what to do\n\n" + findings.enumerated().map { index, finding in
            var lines = ["\(index + 1). **\(Markdown.text(finding.severity.words)): \(Markdown.text(finding.title))**",
                         "   - \(Markdown.text(finding.detail))",
                         "   - **What to do:** \(Markdown.text(finding.action))"]
            if let runbook = finding.runbook { lines.append("   - **Runbook:** \(Markdown.runbook(runbook))") }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
