/// What both renderers need from a report beyond its fields.
extension DRReport {
    /// The findings, most serious first (the order given kept within a severity).
    var findingsBySeverity: [ReportFinding] {
        findings.enumerated().sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }.map(\.element)
    }

    /// The periods the trend covers: `trendPeriods`, or just this period when there are none.
    var chartPeriods: [ReportPeriod] { trendPeriods.isEmpty ? [period] : trendPeriods }
}
