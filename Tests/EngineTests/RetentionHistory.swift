import Foundation
import LifeboatEngine

/// Sebastiano Vigna's SplitMix64: a tiny seedable generator, so that a failing
/// generated history can be replayed from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A generated backup history for property tests: WAL archived segment by
/// segment (with occasional gaps), logical and physical backups at random
/// times (some overlapping, some sharing a start time, some pinned, a few
/// physical ones whose WAL is missing), a time zone, a clock, and settings.
struct RetentionHistory: CustomStringConvertible {
    var backups: [RetentionCandidate]
    var wal: [ArchivedSegment]
    var settings: RetentionSettings
    var timeZone: TimeZone
    var now: Date

    static let zones = ["UTC", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Auckland", "Pacific/Kiritimati",
                        "Australia/Lord_Howe", "Europe/Berlin", "America/St_Johns"]

    static func generate(seed: UInt64) -> RetentionHistory {
        var rng = SplitMix64(seed: seed)
        // 2025-06-01 … 2027-06-01, so that spans cross year and ISO-week-53 boundaries.
        let origin = Int.random(in: 1_748_736_000...1_811_808_000, using: &rng)
        let span = [6 * 3_600, 3 * 86_400, 20 * 86_400, 90 * 86_400, 400 * 86_400, 800 * 86_400].randomElement(using: &rng) ?? 86_400
        let step = max([300, 3_600, 4 * 3_600].randomElement(using: &rng) ?? 3_600, span / 2_000)
        let gapRate = Bool.random(using: &rng) ? 0.0 : 0.004

        // Segment n is written until archivedAt[n]; a gap is a segment never archived.
        var times: [Int] = []
        var time = origin
        while time < origin + span + step {
            time += Int.random(in: step / 2...step * 3 / 2, using: &rng)
            times.append(time)
        }
        let base = UInt64.random(in: 1...5_000, using: &rng)
        var archived: [Int: Bool] = [:]
        for index in times.indices { archived[index] = Double.random(in: 0..<1, using: &rng) >= gapRate }
        func segment(at instant: Int) -> Int {
            times.firstIndex { $0 >= instant } ?? times.count
        }

        var backups: [RetentionCandidate] = []
        for number in 0..<Int.random(in: 1...40, using: &rng) {
            var started = Int.random(in: origin...origin + span, using: &rng)
            if let other = backups.randomElement(using: &rng), Int.random(in: 0..<10, using: &rng) == 0 {
                started = Int(other.startedAt.timeIntervalSince1970)
            }
            let pinned = Int.random(in: 0..<20, using: &rng) == 0
            let date = Date(timeIntervalSince1970: TimeInterval(started))
            guard Bool.random(using: &rng) else {
                backups.append(RetentionCandidate(id: "b\(number)", type: .logical, startedAt: date, pinned: pinned))
                continue
            }
            let finished = started + Int.random(in: 60...7_200, using: &rng)
            let first = segment(at: started)
            let last = max(first, segment(at: finished))
            if Int.random(in: 0..<20, using: &rng) == 0 {
                archived[Int.random(in: first...last, using: &rng)] = false
            }
            let segments = Int.random(in: 0..<25, using: &rng) == 0 ? nil : (base + UInt64(first))...(base + UInt64(last))
            backups.append(RetentionCandidate(id: "b\(number)", type: .physical, startedAt: date,
                                              consistentAt: Date(timeIntervalSince1970: TimeInterval(finished)),
                                              walSegments: segments, pinned: pinned))
        }
        let wal = times.indices.filter { archived[$0] ?? false }.map {
            ArchivedSegment(number: base + UInt64($0), archivedAt: Date(timeIntervalSince1970: TimeInterval(times[$0])))
        }

        var now = origin + span + Int.random(in: 0...2 * 86_400, using: &rng)
        if Int.random(in: 0..<10, using: &rng) == 0 { now = Int.random(in: origin...origin + span, using: &rng) }
        let zone = TimeZone(identifier: zones.randomElement(using: &rng) ?? "UTC") ?? .gmt
        return RetentionHistory(backups: backups, wal: wal, settings: randomSettings(span: span, using: &rng), timeZone: zone,
                                now: Date(timeIntervalSince1970: TimeInterval(now)))
    }

    static func randomSettings(span: Int, using rng: inout SplitMix64) -> RetentionSettings {
        // One history in eight has no count rule at all, so only pinning, "newest" and the window keep backups.
        let counts = Int.random(in: 0..<8, using: &rng) != 0
        func count() -> Int { !counts || Bool.random(using: &rng) ? 0 : Int.random(in: 1...6, using: &rng) }
        let window = Int.random(in: 0..<5, using: &rng) < 2 ? nil : PolicyDuration(seconds: Int.random(in: 3_600...span * 6 / 5, using: &rng))
        return RetentionSettings(keepLast: count(), keepHourly: count(), keepDaily: count(), keepWeekly: count(),
                                 keepMonthly: count(), keepYearly: count(), recoveryWindow: window)
    }

    /// Settings with more: some `keep_*` raised (or turned on), maybe a longer (or a new) window.
    static func widened(_ settings: RetentionSettings, using rng: inout SplitMix64) -> RetentionSettings {
        var wider = settings
        let paths: [WritableKeyPath<RetentionSettings, Int>] = [\.keepLast, \.keepHourly, \.keepDaily, \.keepWeekly, \.keepMonthly, \.keepYearly]
        for path in paths where Bool.random(using: &rng) {
            wider[keyPath: path] += Int.random(in: 1...5, using: &rng)
        }
        if Bool.random(using: &rng) {
            wider.recoveryWindow = PolicyDuration(seconds: (settings.recoveryWindow?.seconds ?? 0) + Int.random(in: 1...30 * 86_400, using: &rng))
        }
        return wider
    }

    func plan(_ settings: RetentionSettings? = nil) -> RetentionPlan {
        RetentionPlan.make(backups: backups, wal: wal, settings: settings ?? self.settings, timeZone: timeZone, now: now)
    }

    var description: String {
        let s = settings
        return "\(backups.count) backups, \(wal.count) segments, zone \(timeZone.identifier), now \(now), "
            + "keep last \(s.keepLast) hourly \(s.keepHourly) daily \(s.keepDaily) weekly \(s.keepWeekly) "
            + "monthly \(s.keepMonthly) yearly \(s.keepYearly), window \(s.recoveryWindow?.description ?? "none")"
    }
}
