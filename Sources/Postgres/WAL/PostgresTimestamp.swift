import Foundation

/// A PostgreSQL `TimestampTz` as WAL stores it: microseconds since
/// 2000-01-01 00:00:00 UTC. Kept exact; `date` is within a microsecond.
public struct PostgresTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds from the Unix epoch to PostgreSQL's, 2000-01-01.
    static let epochOffset: Int64 = 946_684_800

    public var microsecondsSince2000: Int64

    public init(microsecondsSince2000: Int64) { self.microsecondsSince2000 = microsecondsSince2000 }

    /// The timestamp nearest to `date`.
    public init(_ date: Date) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let micros = ((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded()
        microsecondsSince2000 = (Int64(seconds) - Self.epochOffset) * 1_000_000 + Int64(micros)
    }

    public var date: Date {
        let (seconds, micros) = split
        return Date(timeIntervalSince1970: TimeInterval(seconds + Self.epochOffset) + TimeInterval(micros) / 1_000_000)
    }

    /// `2026-11-22 10:00:00.123456 UTC`, as pg_waldump prints it with `TZ=UTC`.
    public var description: String {
        let (seconds, micros) = split
        let unix = seconds + Self.epochOffset
        let days = unix >= 0 ? unix / 86_400 : (unix - 86_399) / 86_400
        let secondOfDay = unix - days * 86_400
        let (year, month, day) = Self.civil(fromDaysSince1970: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) "
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(micros, 6)) UTC"
    }

    public static func < (lhs: PostgresTimestamp, rhs: PostgresTimestamp) -> Bool {
        lhs.microsecondsSince2000 < rhs.microsecondsSince2000
    }

    /// Whole seconds since 2000 and the microseconds after them (0...999_999).
    private var split: (seconds: Int64, micros: Int64) {
        let micros = microsecondsSince2000 % 1_000_000
        return micros < 0
            ? (microsecondsSince2000 / 1_000_000 - 1, micros + 1_000_000)
            : (microsecondsSince2000 / 1_000_000, micros)
    }

    /// The proleptic Gregorian date of a day count from 1970-01-01
    /// (Howard Hinnant's `civil_from_days`).
    private static func civil(fromDaysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
