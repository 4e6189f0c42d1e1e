import Foundation

/// A cron expression as systemd calendar events (`OnCalendar=`), in the
/// policy's time zone: `0 2 * * *` → `*-*-* 02:00:00 UTC`, `30 3 * * 0` →
/// `Sun *-*-* 03:30:00 UTC`, `*/15 * * * *` → `*-*-* *:00/15:00 UTC`.
///
/// Fields written with a step stay steps when the values run to the field's
/// end (`00/15`), others become lists with ranges (`01,04,07,10`, `Mon..Fri`).
/// When cron restricts both the day of month and the day of week, a day
/// matches if either does, while systemd requires both: that gives two events,
/// one per day field, which a timer takes as two `OnCalendar=` lines (one when
/// they are the same).
public enum SystemdCalendar {
    private static let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    /// One event, or two when both day fields are restricted; `timeZone` is a
    /// tz database name (`UTC`, `Europe/Berlin`).
    public static func events(for cron: CronExpression, timeZone: String) -> [String] {
        let fields = cron.crontabFields
        func field(_ index: Int, _ values: Set<Int>, _ range: ClosedRange<Int>) -> String {
            render(values, range: range, allowStep: fields[index].contains("/"))
        }
        let time = "\(field(1, cron.hours, 0...23)):\(field(0, cron.minutes, 0...59)):00"
        let month = field(3, cron.months, 1...12)
        func event(days: String, weekdays: Set<Int>) -> String {
            let weekdayPart = weekdays.count == 7 ? "" : weekdayList(weekdays) + " "
            return "\(weekdayPart)*-\(month)-\(days) \(time) \(timeZone)"
        }
        let days = field(2, cron.daysOfMonth, 1...31)
        guard cron.dayOfMonthRestricted, cron.dayOfWeekRestricted else {
            return [event(days: days, weekdays: cron.daysOfWeek)]
        }
        let byDay = event(days: days, weekdays: Set(0...6)), byWeekday = event(days: "*", weekdays: cron.daysOfWeek)
        // `1-31` or `0-6` restricts nothing: both events are every day then.
        return byDay == byWeekday ? [byDay] : [byDay, byWeekday]
    }

    /// `*` for every value; `start/step` for a progression to the end of the
    /// range (when allowed); else values and runs of three or more as `a..b`.
    private static func render(_ values: Set<Int>, range: ClosedRange<Int>, allowStep: Bool) -> String {
        let sorted = values.sorted()
        guard sorted.count < range.count, let first = sorted.first else { return "*" }
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        if allowStep, sorted.count >= 3 {
            let step = sorted[1] - first
            if step > 1, sorted == Array(stride(from: first, through: range.upperBound, by: step)) {
                return "\(two(first))/\(step)"
            }
        }
        return runs(sorted).map { run in
            run.count >= 3 ? "\(two(run[0]))..\(two(run[run.count - 1]))" : run.map(two).joined(separator: ",")
        }.joined(separator: ",")
    }

    /// Cron weekdays (0 = Sunday) in systemd's order, Monday first.
    private static func weekdayList(_ weekdays: Set<Int>) -> String {
        runs(weekdays.map { ($0 + 6) % 7 }.sorted()).map { run in
            run.count >= 3 ? "\(weekdayNames[run[0]])..\(weekdayNames[run[run.count - 1]])"
                : run.map { weekdayNames[$0] }.joined(separator: ",")
        }.joined(separator: ",")
    }

    /// Sorted values cut into runs of consecutive numbers.
    private static func runs(_ sorted: [Int]) -> [[Int]] {
        sorted.reduce(into: [[Int]]()) { runs, value in
            if let previous = runs.last?.last, previous + 1 == value {
                runs[runs.count - 1].append(value)
            } else {
                runs.append([value])
            }
        }
    }
}
