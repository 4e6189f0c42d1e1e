import Foundation
import Repository
import Testing

/// Every manifest, run record and lock names its times in RFC 3339; these are
/// written and read by lifeboat's own code (no ICU), so it is checked here
/// against known instants.
@Suite struct RFC3339Tests {
    /// 2026-11-22T02:03:04Z
    let instant = Date(timeIntervalSince1970: 1_795_312_984)

    @Test func writesMicrosecondsAndWholeSeconds() {
        #expect(RFC3339.string(instant) == "2026-11-22T02:03:04.000000Z")
        #expect(RFC3339.string(instant.addingTimeInterval(0.1234567)) == "2026-11-22T02:03:04.123457Z")
        #expect(RFC3339.wholeSeconds(instant.addingTimeInterval(0.9)) == "2026-11-22T02:03:04Z")
        #expect(RFC3339.string(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500000Z")
    }

    @Test func readsWhatItWritesToTheMicrosecond() throws {
        for offset in [0, 0.000001, 0.5, 0.999999, 86_400 * 365.25 * 30] {
            let date = instant.addingTimeInterval(offset)
            let back = try #require(RFC3339.date(RFC3339.string(date)))
            #expect(abs(back.timeIntervalSince(date)) < 0.000001)
        }
    }

    @Test func readsOffsetsFractionsAndLowerCase() {
        #expect(RFC3339.date("2026-11-22T02:03:04Z") == instant)
        #expect(RFC3339.date("2026-11-22t02:03:04z") == instant)
        #expect(RFC3339.date("2026-11-22T03:03:04+01:00") == instant)
        #expect(RFC3339.date("2026-11-21T21:33:04-04:30") == instant)
        #expect(RFC3339.date("2026-11-22T02:03:04.25Z") == instant.addingTimeInterval(0.25))
    }

    @Test func refusesWhatIsNotADateTime() {
        for text in ["", "2026-11-22", "2026-11-22 02:03:04Z", "2026-11-22T02:03:04", "2026-02-31T00:00:00Z",
                     "2026-13-01T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T02:03:04.Z", "2026-11-22T02:03:04Zjunk",
                     "2026-11-22T02:03:04+0100", "20261122T020304Z", "２０２６-11-22T02:03:04Z"] {
            #expect(RFC3339.date(text) == nil, "\(text)")
        }
    }

    @Test func compactStampsSortByTime() {
        #expect(UTCComponents(instant).compact == "20261122T020304")
        #expect(UTCComponents(instant.addingTimeInterval(0.0421)).nanosecond / 1_000_000 == 42)
    }
}
