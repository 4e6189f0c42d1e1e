import Foundation

/// A span of time written in a policy as a number and a unit, combinable:
/// `90s`, `15m`, `4h`, `7d`, `2w`, `1h30m`. Always positive.
public struct PolicyDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    static let units: [(Character, Int)] = [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// Parses the policy notation; returns nil for anything else.
    public init?(parsing text: String) {
        var total = 0
        var digits = ""
        var sawUnit = false
        for character in text.trimmingCharacters(in: .whitespaces) {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if let unit = Self.units.first(where: { $0.0 == character }) {
                guard let value = Int(digits) else { return nil }
                let (product, overflow1) = value.multipliedReportingOverflow(by: unit.1)
                let (sum, overflow2) = total.addingReportingOverflow(product)
                guard !overflow1, !overflow2 else { return nil }
                total = sum
                digits = ""
                sawUnit = true
            } else {
                return nil
            }
        }
        guard digits.isEmpty, sawUnit, total > 0 else { return nil }
        seconds = total
    }

    /// The shortest policy notation: `1h30m`, `7d`.
    public var description: String {
        var rest = seconds
        var out = ""
        for (unit, size) in Self.units where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out.isEmpty ? "0s" : out
    }

    public static func < (lhs: PolicyDuration, rhs: PolicyDuration) -> Bool { lhs.seconds < rhs.seconds }
}
