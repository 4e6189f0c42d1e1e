import Foundation

/// A reporting period: a quarter (`2026-Q4`), a month (`2026-11`) or a year
/// (`2026`), from its first instant to the first instant of the next, in the
/// policy's time zone.
public struct ReportPeriod: Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable { case quarter, month, year }

    public var label: String
    public var kind: Kind
    public var start: Date
    public var end: Date

    public var description: String { label }

    public func contains(_ date: Date) -> Bool { date >= start && date < end }

    /// Parses `2026-Q4`, `2026-11` or `2026`.
    public init?(parsing text: String, timeZone: TimeZone) {
        let parts = text.uppercased().split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let year = Int(parts[0]), parts[0].count == 4 else { return nil }
        switch parts.count {
        case 1:
            self.init(kind: .year, year: year, index: 1, timeZone: timeZone)
        case 2 where parts[1].hasPrefix("Q"):
            guard let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter) else { return nil }
            self.init(kind: .quarter, year: year, index: quarter, timeZone: timeZone)
        case 2:
            guard let month = Int(parts[1]), (1...12).contains(month), parts[1].count == 2 else { return nil }
            self.init(kind: .month, year: year, index: month, timeZone: timeZone)
        default:
            return nil
        }
    }

    /// The quarter that contains `date`.
    public static func quarter(containing date: Date, timeZone: TimeZone) -> ReportPeriod {
        let calendar = Self.calendar(timeZone)
        let c = calendar.dateComponents([.year, .month], from: date)
        return ReportPeriod(kind: .quarter, year: c.year ?? 1970, index: ((c.month ?? 1) - 1) / 3 + 1, timeZone: timeZone)
    }

    /// The period of the same kind just before this one.
    public func previous(timeZone: TimeZone) -> ReportPeriod {
        let (year, index) = components
        switch kind {
        case .year: return ReportPeriod(kind: .year, year: year - 1, index: 1, timeZone: timeZone)
        case .quarter: return index == 1 ? ReportPeriod(kind: .quarter, year: year - 1, index: 4, timeZone: timeZone)
                                         : ReportPeriod(kind: .quarter, year: year, index: index - 1, timeZone: timeZone)
        case .month: return index == 1 ? ReportPeriod(kind: .month, year: year - 1, index: 12, timeZone: timeZone)
                                       : ReportPeriod(kind: .month, year: year, index: index - 1, timeZone: timeZone)
        }
    }

    private var components: (year: Int, index: Int) {
        let year = Int(label.prefix(4)) ?? 1970
        switch kind {
        case .year: return (year, 1)
        case .quarter: return (year, Int(label.suffix(1)) ?? 1)
        case .month: return (year, Int(label.suffix(2)) ?? 1)
        }
    }

    init(kind: Kind, year: Int, index: Int, timeZone: TimeZone) {
        let calendar = Self.calendar(timeZone)
        let firstMonth: Int
        let months: Int
        switch kind {
        case .year: (firstMonth, months, label) = (1, 12, String(format: "%04d", year))
        case .quarter: (firstMonth, months, label) = ((index - 1) * 3 + 1, 3, String(format: "%04d-Q%d", year, index))
        case .month: (firstMonth, months, label) = (index, 1, String(format: "%04d-%02d", year, index))
        }
        self.kind = kind
        start = calendar.date(from: DateComponents(year: year, month: firstMonth, day: 1)) ?? Date(timeIntervalSince1970: 0)
        end = calendar.date(byAdding: .month, value: months, to: start) ?? start
    }

    static func calendar(_ timeZone: TimeZone) -> Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }
}
