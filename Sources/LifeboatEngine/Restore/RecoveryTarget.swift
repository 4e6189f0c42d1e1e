import Foundation
import Postgres
import Repository

/// Where point-in-time recovery stops (PostgreSQL's `recovery_target_*`).
public enum RecoveryTarget: Sendable, Equatable, CustomStringConvertible {
    /// Replay all archived WAL.
    case end
    /// Stop as soon as the backup is consistent.
    case immediate
    /// Stop before the first transaction that committed after this instant.
    case time(Date)
    case lsn(LSN)
    /// Stop after this transaction's commit.
    case xid(UInt64)
    /// Stop at a restore point made with `pg_create_restore_point(name)`.
    case name(String)

    /// What recovery does on reaching the target.
    public enum Action: String, Sendable, CaseIterable {
        case promote, pause, shutdown
    }

    public var description: String {
        switch self {
        case .end: return "the end of the archived WAL"
        case .immediate: return "the backup's consistent point"
        case let .time(date): return RecoveryTarget.format(date)
        case let .lsn(lsn): return "LSN \(lsn)"
        case let .xid(xid): return "transaction \(xid)"
        case let .name(name): return "restore point '\(name)'"
        }
    }

    /// `2026-11-20 14:29:00.123456+00`: how lifeboat writes times for PostgreSQL.
    public static func format(_ date: Date) -> String {
        RFC3339.string(date).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "+00")
    }

    /// Parses `2026-11-20 14:29:00`, `2026-11-20T14:29:00.5Z`, `2026-11-20 14:29:00+01`,
    /// `…+01:00` or `…-0530`. Without an offset the time is in `zone` (the policy's).
    public static func parseTime(_ text: String, zone: TimeZone) -> Date? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        func group(_ index: Int) -> String? {
            guard let range = Range(match.range(at: index), in: text) else { return nil }
            return String(text[range])
        }
        var components = DateComponents()
        components.year = group(1).flatMap { Int($0) }
        components.month = group(2).flatMap { Int($0) }
        components.day = group(3).flatMap { Int($0) }
        components.hour = group(4).flatMap { Int($0) }
        components.minute = group(5).flatMap { Int($0) }
        components.second = group(6).flatMap { Int($0) } ?? 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        if let offset = group(8) {
            if offset == "Z" {
                calendar.timeZone = TimeZone(identifier: "UTC") ?? zone
            } else {
                let sign = offset.hasPrefix("-") ? -1 : 1
                let digits = offset.dropFirst().replacingOccurrences(of: ":", with: "")
                let hours = Int(digits.prefix(2)) ?? 0
                let minutes = digits.count > 2 ? Int(digits.suffix(2)) ?? 0 : 0
                guard let fixed = TimeZone(secondsFromGMT: sign * (hours * 3600 + minutes * 60)) else { return nil }
                calendar.timeZone = fixed
            }
        }
        guard let month = components.month, (1...12) ~= month, let day = components.day, (1...31) ~= day,
              let hour = components.hour, hour < 24, let minute = components.minute, minute < 60,
              let second = components.second, second < 60,
              let whole = calendar.date(from: components), calendar.component(.day, from: whole) == day else { return nil }
        let fraction = group(7).map { Double("0." + $0) ?? 0 } ?? 0
        return whole.addingTimeInterval(fraction)
    }
}
