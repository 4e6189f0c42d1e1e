import Foundation

/// Human-readable sizes: `512 B`, `1.5 MiB`.
public enum ByteFormat {
    public static func string(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}

/// Human-readable durations: `45s`, `3m12s`, `2h05m`, `3d04h`.
public enum DurationFormat {
    public static func string(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        switch s {
        case ..<60: return "\(s)s"
        case ..<3600: return String(format: "%dm%02ds", s / 60, s % 60)
        case ..<86_400: return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
        default: return String(format: "%dd%02dh", s / 86_400, (s % 86_400) / 3600)
        }
    }
}
