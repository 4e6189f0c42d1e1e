import Foundation

/// A standard five-field cron schedule: minute, hour, day of month, month, day
/// of week — with `*`, lists, ranges, steps, month and weekday names, and the
/// `@hourly`/`@daily`/`@weekly`/`@monthly`/`@yearly` shorthands.
///
/// As in Vixie cron, when both day of month and day of week are restricted, a
/// day matches if either does. Sunday is 0 or 7.
public struct CronExpression: Sendable, Hashable, CustomStringConvertible {
    /// The text as written in the policy.
    public let source: String
    public let minutes: Set<Int>
    public let hours: Set<Int>
    public let daysOfMonth: Set<Int>
    public let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday.
    public let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public var description: String { source }

    /// Why a cron line was refused.
    public struct ParseError: Error, Equatable {
        public let message: String
    }

    static let shorthands = [
        "@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
        "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        source = trimmed
        let expanded = Self.shorthands[trimmed.lowercased()] ?? trimmed
        if expanded.hasPrefix("@") {
            throw ParseError(message: "unknown shorthand '\(trimmed)' (use @hourly, @daily, @weekly, @monthly or @yearly)")
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw ParseError(message: "expected 5 fields (minute hour day-of-month month day-of-week), found \(fields.count) in '\(trimmed)'")
        }
        minutes = try Self.parseField(fields[0], name: "minute", range: 0...59, names: [])
        hours = try Self.parseField(fields[1], name: "hour", range: 0...23, names: [])
        daysOfMonth = try Self.parseField(fields[2], name: "day of month", range: 1...31, names: [])
        months = try Self.parseField(fields[3], name: "month", range: 1...12, names: Self.monthNames, nameBase: 1)
        let weekdays = try Self.parseField(fields[4], name: "day of week", range: 0...7, names: Self.dayNames)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        dayOfWeekRestricted = !fields[4].hasPrefix("*")
        if !dayOfWeekRestricted, !months.contains(where: { month in daysOfMonth.contains { $0 <= Self.maxDays(month) } }) {
            throw ParseError(message: "'\(trimmed)' never fires: no chosen month has the chosen day")
        }
    }

    private static func maxDays(_ month: Int) -> Int { [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] }

    private static func parseField(_ field: String, name: String, range: ClosedRange<Int>, names: [String], nameBase: Int = 0) throws -> Set<Int> {
        func value(_ token: Substring) throws -> Int {
            if let number = Int(token) {
                guard range.contains(number) else {
                    throw ParseError(message: "\(name) \(number) is out of range \(range.lowerBound)-\(range.upperBound)")
                }
                return number
            }
            if let index = names.firstIndex(of: token.lowercased()) { return index + nameBase }
            throw ParseError(message: "'\(token)' is not a valid \(name)")
        }
        var result = Set<Int>()
        for item in field.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw ParseError(message: "empty item in \(name) field '\(field)'") }
            let stepParts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { throw ParseError(message: "'\(item)' has more than one step in the \(name) field") }
            var step = 1
            if stepParts.count == 2 {
                guard let parsed = Int(stepParts[1]), parsed > 0 else {
                    throw ParseError(message: "step '\(stepParts[1])' in the \(name) field must be a positive number")
                }
                step = parsed
            }
            let base = stepParts[0]
            let bounds: ClosedRange<Int>
            if base == "*" {
                bounds = range.lowerBound...(name == "day of week" ? 6 : range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                let low = try value(base[..<dash])
                let high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw ParseError(message: "range '\(base)' in the \(name) field runs backwards") }
                bounds = low...high
            } else {
                let single = try value(base)
                bounds = single...(stepParts.count == 2 ? range.upperBound : single)
            }
            result.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return result
    }

    /// Whether the schedule fires on this calendar day. As in Vixie cron, a day
    /// field written with a leading `*` (`*`, `*/2`) still restricts the day when
    /// the other one does not: both must match then, either one otherwise.
    func matches(year: Int, month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        let domMatch = daysOfMonth.contains(day)
        let dowMatch = daysOfWeek.contains(weekday)
        return dayOfMonthRestricted && dayOfWeekRestricted ? domMatch || dowMatch : domMatch && dowMatch
    }

    /// The longest time between two consecutive firings, over four years of
    /// calendar (so leap years and every weekday alignment are seen). Wall-clock
    /// time; daylight-saving shifts are ignored.
    public var longestGap: PolicyDuration {
        let timesOfDay = hours.sorted().flatMap { h in minutes.sorted().map { h * 60 + $0 } }
        guard let first = timesOfDay.first, let last = timesOfDay.last else { return PolicyDuration(seconds: 0) }
        var gap = zip(timesOfDay, timesOfDay.dropFirst()).map { $1 - $0 }.max() ?? 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        guard var date = calendar.date(from: DateComponents(year: 2024, month: 1, day: 1)) else { return PolicyDuration(seconds: 0) }
        var previousFiringDay: Int?
        var firstFiringDay: Int?
        let days = 4 * 366
        for dayIndex in 0..<days {
            let c = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            if let y = c.year, let m = c.month, let d = c.day, let w = c.weekday, matches(year: y, month: m, day: d, weekday: w - 1) {
                if let previous = previousFiringDay {
                    gap = max(gap, (dayIndex - previous) * 1440 + first - last)
                } else {
                    firstFiringDay = dayIndex
                }
                previousFiringDay = dayIndex
            }
            date = calendar.date(byAdding: .day, value: 1, to: date) ?? date
        }
        // Firing on only one day in four years: the gap spans the whole window.
        if let only = firstFiringDay, only == previousFiringDay { gap = max(gap, days * 1440) }
        return PolicyDuration(seconds: gap * 60)
    }
}
