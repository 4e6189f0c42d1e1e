import Foundation

extension DurationFormat {
    /// Like `string`, with tenths of a second under a minute, where drill
    /// phases and RTOs often are: `0s`, `0.4s`, `41.2s`, `3m12s`.
    public static func precise(_ seconds: Double) -> String {
        guard seconds != 0 else { return "0s" }
        return seconds < 59.95 ? String(format: "%.1fs", seconds) : string(seconds)
    }

    /// For chart axes: no zero parts — `30s`, `5m`, `1m30s`, `2h`, `1h30m`, `3d`.
    static func compact(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        func join(_ major: Int, _ majorUnit: String, _ minor: Int, _ minorUnit: String) -> String {
            minor == 0 ? "\(major)\(majorUnit)" : "\(major)\(majorUnit)\(minor)\(minorUnit)"
        }
        switch s {
        case ..<60: return "\(s)s"
        case ..<3600: return join(s / 60, "m", s % 60, "s")
        case ..<86_400: return join(s / 3600, "h", (s % 3600) / 60, "m")
        default: return join(s / 86_400, "d", (s % 86_400) / 3600, "h")
        }
    }
}
