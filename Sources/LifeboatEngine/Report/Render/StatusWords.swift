/// Outcomes and severities in words with a symbol — never colour alone — so
/// that a black-and-white printout or a plain-text ticket still says what
/// passed; each with the CSS class that tints it on screen.
extension DrillRecord.Outcome {
    /// `✓ Passed`, `▲ Objectives missed`, `✗ Checks failed`, `✗ Failed`.
    var words: String {
        switch self {
        case .passed: "✓ Passed"
        case .objectivesMissed: "▲ Objectives missed"
        case .checksFailed: "✗ Checks failed"
        case .failed: "✗ Failed"
        }
    }

    /// A CSS class for the outcome's row and badge.
    var styleClass: String {
        switch self {
        case .passed: "pass"
        case .objectivesMissed: "warn"
        case .checksFailed, .failed: "fail"
        }
    }
}

extension ReportFinding.Severity {
    /// `✗ Problem`, `▲ Warning`, `• Note`: words and a symbol, for print.
    var words: String {
        switch self {
        case .problem: "✗ Problem"
        case .warning: "▲ Warning"
        case .info: "• Note"
        }
    }

    /// A CSS class for the severity's badge.
    var styleClass: String {
        switch self {
        case .problem: "fail"
        case .warning: "warn"
        case .info: "note"
        }
    }
}
