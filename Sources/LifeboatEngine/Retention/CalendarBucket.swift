import Foundation

/// A calendar period that one of the `keep_hourly` … `keep_yearly` rules keeps
/// one backup of, in the policy's time zone.
enum CalendarBucket: CaseIterable {
    case hour, day, week, month, year

    /// A calendar for bucketing in `timeZone`: Gregorian dates, ISO 8601 weeks
    /// (starting on Monday; week 1 holds the year's first Thursday).
    static func calendar(in timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        return calendar
    }

    /// Numbers that are equal exactly when two instants fall in the same
    /// bucket. Hours are local wall-clock hours, so the hour repeated when
    /// daylight saving time ends is one (two-hour) bucket. Weeks are numbered
    /// within their ISO week-based year: 2026-12-29 and 2027-01-02 are both in
    /// week 53 of 2026.
    func key(of date: Date, in calendar: Calendar) -> [Int] {
        switch self {
        case .hour:
            let c = calendar.dateComponents([.year, .month, .day, .hour], from: date)
            return [c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0]
        case .day:
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return [c.year ?? 0, c.month ?? 0, c.day ?? 0]
        case .week:
            let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
            return [c.yearForWeekOfYear ?? 0, c.weekOfYear ?? 0]
        case .month:
            let c = calendar.dateComponents([.year, .month], from: date)
            return [c.year ?? 0, c.month ?? 0]
        case .year:
            return [calendar.component(.year, from: date)]
        }
    }
}
