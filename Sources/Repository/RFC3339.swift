import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 times in UTC, written and read without Foundation's date
/// formatters: those load ICU, whose tables add 6 MiB or more to the resident
/// size of every command that reads a manifest (`wal-push` among them).
///
/// Written: `2026-11-22T02:00:00.123456Z` (microseconds) or, by
/// `wholeSeconds`, `2026-11-22T02:00:00Z`. Read: either, with any number of
/// fraction digits, `Z` or a `±hh:mm` offset, `T` or `t`.
public enum RFC3339 {
    /// `2026-11-22T02:00:00.123456Z`: microseconds, rounded.
    public static func string(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let c = UTCComponents(secondsSince1970: seconds)
        return c.dateAndTime + String(format: ".%06dZ", Int(micros - seconds * 1_000_000))
    }

    /// `2026-11-22T02:00:00Z`: whole seconds, the fraction dropped (as
    /// `JSONEncoder`'s `.iso8601` strategy writes them).
    public static func wholeSeconds(_ date: Date) -> String {
        UTCComponents(date).dateAndTime + "Z"
    }

    /// The time `text` names, or nil when it is not an RFC 3339 date-time.
    public static func date(_ text: String) -> Date? {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(digits: 4), scanner.skip("-"),
              let month = scanner.number(digits: 2), scanner.skip("-"),
              let day = scanner.number(digits: 2), scanner.skip("T") || scanner.skip("t"),
              let hour = scanner.number(digits: 2), scanner.skip(":"),
              let minute = scanner.number(digits: 2), scanner.skip(":"),
              let second = scanner.number(digits: 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        var fraction = 0.0
        if scanner.skip(".") {
            guard let digits = scanner.digits(), !digits.isEmpty, let value = Double("0." + digits) else { return nil }
            fraction = value
        }
        var offset = 0
        if scanner.skip("Z") || scanner.skip("z") {
            offset = 0
        } else if let sign = scanner.sign(), let hours = scanner.number(digits: 2), scanner.skip(":"),
                  let minutes = scanner.number(digits: 2), hours < 24, minutes < 60 {
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        guard scanner.atEnd else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        // timegm normalises 31 February into March: such a date does not exist.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(Int(seconds) - offset) + fraction)
    }
}

/// A time's calendar fields in UTC (proleptic Gregorian), from the C library.
public struct UTCComponents: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// Nanoseconds past `second`.
    public var nanosecond: Int

    public init(_ date: Date) {
        let interval = date.timeIntervalSince1970
        let whole = interval.rounded(.down)
        self.init(secondsSince1970: Int64(whole))
        nanosecond = min(999_999_999, Int(((interval - whole) * 1_000_000_000).rounded(.down)))
    }

    init(secondsSince1970 seconds: Int64) {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        year = Int(parts.tm_year) + 1900
        month = Int(parts.tm_mon) + 1
        day = Int(parts.tm_mday)
        hour = Int(parts.tm_hour)
        minute = Int(parts.tm_min)
        second = Int(parts.tm_sec)
        nanosecond = 0
    }

    /// `2026-11-22T02:00:00`, no zone.
    var dateAndTime: String {
        String(format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute, second)
    }

    /// `20261122T020000`, no zone: the stamp of backup and run identifiers.
    public var compact: String {
        String(format: "%04d%02d%02dT%02d%02d%02d", year, month, day, hour, minute, second)
    }
}

/// Reads fixed-width ASCII fields of a date-time.
private struct DigitScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(character.value) else { return false }
        index += 1
        return true
    }

    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + digits] {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        index += digits
        return value
    }

    mutating func digits() -> String? {
        let start = index
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
