/// The report's first box, worked out once for both renderers: how many
/// drills passed, the worst RTO and RPO against the targets, and an overall
/// verdict in plain words.
struct ExecutiveSummary {
    /// The overall state, most reassuring first.
    enum Level: String {
        case onTrack = "On track"
        case needsAttention = "Needs attention"
        case notDemonstrated = "Not demonstrated"
        case atRisk = "At risk"

        /// `✓ On track`: the headline, with a symbol for black-and-white print.
        var headline: String {
            switch self {
            case .onTrack: "✓ \(rawValue)"
            case .needsAttention, .notDemonstrated: "▲ \(rawValue)"
            case .atRisk: "✗ \(rawValue)"
            }
        }

        /// A CSS class for the verdict box.
        var styleClass: String {
            switch self {
            case .onTrack: "pass"
            case .needsAttention, .notDemonstrated: "warn"
            case .atRisk: "fail"
            }
        }
    }

    /// Drills that passed, and drills in the period.
    let passed: Int
    let total: Int
    /// `22m10s of 15m00s target: ✗ missed`.
    let worstRTO: String
    /// `3m00s of 5m00s target: ✓ met`.
    let worstRPO: String
    let level: Level
    /// Sentences a manager can act on.
    let explanation: String
    /// `2 problems, 1 warning`.
    let toActOn: String

    init(_ report: DRReport, clock: ReportClock) {
        let drills = report.drills
        passed = drills.filter(\.passed).count
        total = drills.count
        worstRTO = Self.worstRTO(drills, target: report.rtoTargetSeconds)
        worstRPO = Self.worstRPO(drills, target: report.rpoTargetSeconds)

        let failed = drills.filter { $0.outcome == .failed }.count
        let checksFailed = drills.filter { $0.outcome == .checksFailed }.count
        let missed = drills.filter { $0.outcome == .objectivesMissed }.count
        let problems = report.findings.filter { $0.severity == .problem }.count
        let warnings = report.findings.filter { $0.severity == .warning }.count
        toActOn = "\(Self.count(problems, "problem")), \(Self.count(warnings, "warning"))"
        var sentences: [String] = []
        if drills.isEmpty {
            level = .notDemonstrated
            sentences.append("No restore drill ran in \(report.period.label), so this period gives no evidence that the database can be recovered in time.")
        } else if failed > 0 || checksFailed > 0 {
            level = .atRisk
            if failed > 0 {
                sentences.append("\(failed) of \(Self.count(total, "drill")) could not restore a working database.")
            }
            if checksFailed > 0 {
                sentences.append("In \(Self.count(checksFailed, "drill")), the restored database failed a verification check, "
                    + "so its data cannot be trusted as restored.")
            }
        } else if missed > 0 {
            level = .needsAttention
            sentences.append("Every drill restored a verified database, but \(Self.count(missed, "drill")) took longer to recover "
                + "or would lose more data than the targets allow.")
        } else {
            level = problems > 0 ? .needsAttention : .onTrack
            sentences.append("Every drill restored a verified, working database within the recovery-time and data-loss targets.")
        }
        if let latest = drills.max(by: { $0.startedAt < $1.startedAt }), level == .atRisk || level == .needsAttention, total > 1 {
            sentences.append("The most recent drill, on \(clock.dateTime(latest.startedAt)), \(latest.passed ? "passed" : "did not pass").")
        }
        if problems > 0 {
            sentences.append("\(Self.count(problems, "problem")) \(problems == 1 ? "needs" : "need") action: see “What failed and what to do”.")
        }
        explanation = sentences.joined(separator: " ")
    }

    /// How many drills passed: `2 of 4`, `none run`.
    var drillsLine: String {
        total == 0 ? "none run" : "\(passed) of \(total)"
    }

    private static func worstRTO(_ drills: [DrillRecord], target: Double?) -> String {
        guard !drills.isEmpty else { return "no drills in this period" }
        if let unreached = drills.first(where: { $0.rtoSeconds == nil }) {
            let figure = "not reached (drill \(unreached.id) did not restore)"
            return target.map { "\(figure); target \(DurationFormat.precise($0))" } ?? figure
        }
        let worst = drills.compactMap(\.rtoSeconds).max() ?? 0
        return ObjectiveWords.line(DurationFormat.precise(worst), value: worst, target: target, met: target.map { worst <= $0 })
    }

    private static func worstRPO(_ drills: [DrillRecord], target: Double?) -> String {
        guard !drills.isEmpty else { return "no drills in this period" }
        guard let worst = drills.compactMap(\.rpoFigure).max(),
              let drill = drills.first(where: { $0.rpoFigure == worst }) else {
            return "not measured" + (target.map { "; target \(DurationFormat.precise($0))" } ?? "")
        }
        let unmeasured = drills.filter { $0.rpoFigure == nil }.count
        let note = unmeasured > 0 ? " (not measured in \(count(unmeasured, "drill")))" : ""
        return ObjectiveWords.line(drill.rpoText, value: worst, target: target, met: target.map { worst <= $0 }) + note
    }

    /// `1 drill`, `3 drills`.
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
