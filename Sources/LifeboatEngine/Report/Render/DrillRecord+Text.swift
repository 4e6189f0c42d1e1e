import Foundation

/// A drill's figures and facts as both renderers word them.
extension DrillRecord {
    /// The RTO, or why there is none: `14m05s`, `not reached`.
    var rtoText: String { rtoSeconds.map(DurationFormat.precise) ?? "not reached" }

    /// The RPO figure, unless the measurement says it is not known.
    var rpoFigure: Double? { rpo?.basis == .unknown ? nil : rpoSeconds }

    /// The RPO as far as it is known: `0s`, `at most 3m00s` (an upper bound), `not measured`.
    var rpoText: String {
        guard let rpoFigure else { return "not measured" }
        let figure = DurationFormat.precise(rpoFigure)
        return rpo?.basis == .bound ? "at most \(figure)" : figure
    }

    /// `22m10s of 15m00s target: ✗ missed`.
    var rtoLine: String { ObjectiveWords.line(rtoText, value: rtoSeconds, target: rtoTargetSeconds, met: rtoMet) }

    /// `at most 3m00s of 5m00s target: ✓ met (upper bound)`.
    var rpoLine: String {
        let line = ObjectiveWords.line(rpoText, value: rpoFigure, target: rpoTargetSeconds, met: rpoMet)
        return rpoFigure == nil ? line : "\(line) (\(rpoBasisText))"
    }

    /// How the RPO was obtained, in a word: `measured`, `upper bound`, `not measured`.
    var rpoBasisText: String {
        switch rpo?.basis {
        case .measured: "measured"
        case .bound: "upper bound"
        case .unknown, nil: "not measured"
        }
    }

    /// `5 of 6 passed`, `none run`.
    var checksText: String {
        checks.isEmpty ? "none run" : "\(checks.filter(\.passed).count) of \(checks.count) passed"
    }

    /// The backup restored, with its type: `20261122T033000Z-3fa2 (physical)`, `none`.
    var backupText: String {
        guard let backupID else { return "none" }
        return backupType.map { "\(backupID) (\($0))" } ?? backupID
    }

    /// What happened, in one or two sentences for a reader who will not read the tables.
    var outcomeSentence: String {
        let failedChecks = checks.filter { !$0.passed }.count
        switch outcome {
        case .passed:
            return "The database was restored, passed every verification check, and was recovered within its objectives."
        case .objectivesMissed:
            var missed: [String] = []
            if rtoMet == false { missed.append("recovery took \(rtoText), over the RTO target of \(rtoTargetSeconds.map(DurationFormat.precise) ?? "–")") }
            if rpoMet == false { missed.append("\(rpoText) of data would be lost, over the RPO target of \(rpoTargetSeconds.map(DurationFormat.precise) ?? "–")") }
            let detail = missed.isEmpty ? "an objective was missed" : missed.joined(separator: ", and ")
            return "The database was restored and verified, but \(detail)."
        case .checksFailed:
            return "The database was restored, but \(failedChecks) of \(checks.count) verification checks failed: "
                + "the restored data cannot be trusted until \(failedChecks == 1 ? "it is" : "they are") explained."
        case .failed:
            return "The drill could not restore a connectable database."
        }
    }

    /// The recovery target as the report shows it: `end of archive`, or the
    /// target time in the report's zone (the text as recorded if it is not a time).
    func targetText(_ clock: ReportClock) -> String {
        let formatter = ISO8601DateFormatter()
        if let time = formatter.date(from: target) { return clock.dateTime(time) }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: target).map(clock.dateTime) ?? target
    }
}
