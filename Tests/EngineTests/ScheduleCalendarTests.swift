import Foundation
@testable import LifeboatEngine
import Testing

/// Cron expressions as Debian's cron and systemd read them: the fields written
/// for a crontab, the `OnCalendar=` events, and — with `systemd-analyze` — that
/// systemd parses every event and fires at the same instants as cron.
@Suite struct ScheduleCalendarTests {
    @Test(arguments: [
        ("0 2 * * *", ["*-*-* 02:00:00 UTC"]),
        ("30 3 * * 0", ["Sun *-*-* 03:30:00 UTC"]),
        ("30 3 * * 7", ["Sun *-*-* 03:30:00 UTC"]),
        ("0 6 1 1,4,7,10 *", ["*-01,04,07,10-01 06:00:00 UTC"]),
        ("*/15 * * * *", ["*-*-* *:00/15:00 UTC"]),
        ("0 4 1,15 * mon-fri", ["*-*-01,15 04:00:00 UTC", "Mon..Fri *-*-* 04:00:00 UTC"]),
        ("0 9-17/4 * jan-mar,dec sat,sun", ["Sat,Sun *-01..03,12-* 09,13,17:00:00 UTC"]),
        ("5/20 6 */2 * 1", ["Mon *-*-01/2 06:05/20:00 UTC"]),
        ("0 12 * */3 sun,mon,wed,thu,fri", ["Mon,Wed..Fri,Sun *-01/3-* 12:00:00 UTC"]),
        ("@weekly", ["Sun *-*-* 00:00:00 UTC"]),
        ("0 0 1-31 * 0-6", ["*-*-* 00:00:00 UTC"]),
    ])
    func convertsToSystemdEvents(_ line: String, _ events: [String]) throws {
        #expect(SystemdCalendar.events(for: try CronExpression(parsing: line), timeZone: "UTC") == events)
    }

    @Test func zoneIsTheLastWord() throws {
        #expect(SystemdCalendar.events(for: try CronExpression(parsing: "0 2 * * *"), timeZone: "Europe/Berlin") == ["*-*-* 02:00:00 Europe/Berlin"])
    }

    @Test(arguments: [
        ("5/15 9-17 * * *", "5-59/15 9-17 * * *"),
        ("@daily", "0 0 * * *"),
        ("0 0 * jan/3 mon/2", "0 0 * jan-12/3 mon-7/2"),
        ("*/10,3 1  2\t* *", "*/10,3 1 2 * *"),
    ])
    func crontabFieldsDebianCronReads(_ line: String, _ fields: String) throws {
        #expect(try CronExpression(parsing: line).crontabFields.joined(separator: " ") == fields)
    }

    /// Vixie cron: a day field written with a leading `*` restricts the day
    /// together with the other one; two restricted fields match either way.
    @Test func dayFieldsAsVixieCronReadsThem() throws {
        let oddMondays = try CronExpression(parsing: "0 0 */2 * 1")
        #expect(oddMondays.matches(year: 2026, month: 11, day: 23, weekday: 1))
        #expect(!oddMondays.matches(year: 2026, month: 11, day: 30, weekday: 1))
        #expect(!oddMondays.matches(year: 2026, month: 11, day: 25, weekday: 3))
        let firstOrMonday = try CronExpression(parsing: "0 0 1 * 1")
        #expect(firstOrMonday.matches(year: 2026, month: 11, day: 30, weekday: 1))
        #expect(firstOrMonday.matches(year: 2026, month: 12, day: 1, weekday: 2))
        #expect(!firstOrMonday.matches(year: 2026, month: 12, day: 2, weekday: 3))
    }

    static let agreementCases: [(String, String, Int)] = [
        ("0 2 * * *", "UTC", 12), ("30 3 * * 0", "UTC", 12), ("0 6 1 1,4,7,10 *", "Europe/Berlin", 12),
        ("*/15 * * * *", "UTC", 12), ("0 4 1,15 * mon-fri", "Europe/Berlin", 30), ("5/20 6 */2 * 1", "America/New_York", 12),
        ("0 9-17/4 * jan-mar,dec sat,sun", "Asia/Kolkata", 30), ("@monthly", "UTC", 12), ("0 12 29 2 *", "UTC", 3),
        ("45 23 * */3 sun,mon,wed,thu,fri", "Australia/Sydney", 20),
    ]

    /// systemd parses each event as written (its normalized form is the event
    /// itself) and its next elapses, together, are cron's next firings.
    @Test(.enabled(if: ScheduleFixture.systemdAnalyze != nil), arguments: agreementCases)
    func systemdFiresWhenCronDoes(_ line: String, _ zone: String, _ count: Int) throws {
        let analyze = try #require(ScheduleFixture.systemdAnalyze)
        let cron = try CronExpression(parsing: line)
        var elapses = Set<Date>()
        for event in SystemdCalendar.events(for: cron, timeZone: zone) {
            let result = try ScheduleFixture.run(analyze, ["calendar", "--base-time=2026-11-22 00:00:00 UTC", "--iterations=\(count)", event])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("Normalized form: \(event)\n"), "\(result.output)")
            elapses.formUnion(Self.instants(in: result.output))
        }
        let expected = try Self.firings(of: cron, zone: try #require(TimeZone(identifier: zone)), after: ScheduleFixture.now, count: count)
        #expect(Array(elapses.sorted().prefix(count)) == expected)
    }

    /// The `YYYY-MM-DD HH:MM:SS UTC` instants systemd-analyze prints.
    static func instants(in output: String) -> [Date] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let pattern = #/(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC/#
        return output.split(separator: "\n").filter { $0.contains("elapse:") || $0.contains("Iter.") }
            .compactMap { line in line.firstMatch(of: pattern).flatMap { formatter.date(from: String($0.1)) } }
    }

    /// Cron's next firings after `start`, day by day in the zone.
    static func firings(of cron: CronExpression, zone: TimeZone, after start: Date, count: Int) throws -> [Date] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var day = calendar.startOfDay(for: start)
        var result: [Date] = []
        while result.count < count {
            let c = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            let (year, month, dayOfMonth, weekday) = (try #require(c.year), try #require(c.month), try #require(c.day), try #require(c.weekday))
            if cron.matches(year: year, month: month, day: dayOfMonth, weekday: weekday - 1) {
                for hour in cron.hours.sorted() {
                    for minute in cron.minutes.sorted() {
                        let instant = try #require(calendar.date(from: DateComponents(year: year, month: month, day: dayOfMonth, hour: hour, minute: minute)))
                        if instant > start, result.count < count { result.append(instant) }
                    }
                }
            }
            day = try #require(calendar.date(byAdding: .day, value: 1, to: day))
        }
        return result
    }
}
