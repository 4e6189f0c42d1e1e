import Foundation

/// Dates as the reports show them — `2026-11-22 06:00 UTC` — in the policy's
/// time zone (UTC when the identifier is unknown).
struct ReportClock: Sendable {
    let timeZone: TimeZone
    /// The zone as the policy names it (`Europe/Berlin`), or `UTC`.
    let zoneName: String

    init(identifier: String) {
        if let zone = TimeZone(identifier: identifier) {
            (timeZone, zoneName) = (zone, identifier)
        } else {
            (timeZone, zoneName) = (TimeZone(secondsFromGMT: 0) ?? .current, "UTC")
        }
    }

    /// `2026-11-22 06:00 UTC`.
    func dateTime(_ date: Date) -> String {
        "\(day(date)) \(time(date))"
    }

    /// `06:00 UTC`.
    func time(_ date: Date) -> String {
        let c = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d ", c.hour ?? 0, c.minute ?? 0) + zone(at: date)
    }

    /// `2026-11-22`.
    func day(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }

    /// The days a period covers: `2026-10-01 to 2026-12-31`.
    func days(of period: ReportPeriod) -> String {
        "\(day(period.start)) to \(day(period.end.addingTimeInterval(-1)))"
    }

    /// The zone's name at `date`: its abbreviation when the system has a real
    /// one (`CET`), else the offset (`UTC`, `UTC+1`, `UTC+5:30`).
    private func zone(at date: Date) -> String {
        if let abbreviation = timeZone.abbreviation(for: date), !abbreviation.hasPrefix("GMT"),
           abbreviation.allSatisfy({ $0.isLetter }) {
            return abbreviation
        }
        let offset = timeZone.secondsFromGMT(for: date)
        guard offset != 0 else { return "UTC" }
        let minutes = abs(offset) / 60
        let sign = offset < 0 ? "-" : "+"
        return minutes % 60 == 0 ? "UTC\(sign)\(minutes / 60)" : String(format: "UTC%@%d:%02d", sign, minutes / 60, minutes % 60)
    }

    private var calendar: Calendar { ReportPeriod.calendar(timeZone) }
}
