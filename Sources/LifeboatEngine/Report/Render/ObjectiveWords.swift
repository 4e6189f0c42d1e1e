/// A figure against its objective in words.
enum ObjectiveWords {
    /// `✓ met`, `✗ missed`, or `? not known` when there is no figure to compare.
    static func verdict(_ met: Bool?) -> String {
        switch met {
        case true?: "✓ met"
        case false?: "✗ missed"
        case nil: "? not known"
        }
    }

    /// `14m05s of 15m00s target: ✓ met`, `41.2s (no target)`, and for a
    /// figure that is not a number (`value` nil): `not reached (target 15m00s): ✗ missed`.
    static func line(_ figure: String, value: Double?, target: Double?, met: Bool?) -> String {
        guard let target else { return "\(figure) (no target)" }
        guard value != nil else {
            return "\(figure) (target \(DurationFormat.precise(target)))" + (met == false ? ": \(verdict(met))" : "")
        }
        return "\(figure) of \(DurationFormat.precise(target)) target: \(verdict(met))"
    }
}
