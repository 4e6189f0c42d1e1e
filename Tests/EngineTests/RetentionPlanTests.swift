import Foundation
import LifeboatEngine
import Repository
import Testing

@Suite struct RetentionPlanTests {
    // MARK: Count and calendar rules

    @Test func keepLastKeepsTheNewest() throws {
        let backups = try (1...5).map { logical("l\($0)", try at("2026-03-0\($0)T02:00:00Z")) }
        let plan = make(backups, RetentionSettings(keepLast: 2))
        #expect(kept(plan) == ["l5: newest keep_last", "l4: keep_last"])
        #expect(plan.deleted.map(\.id) == ["l3", "l2", "l1"])
    }

    /// 2026-03-10T02:00Z is still 9 March in Los Angeles (UTC−7).
    @Test func daysAreDaysOfThePolicysTimeZone() throws {
        let backups = [logical("a", try at("2026-03-09T20:00:00Z")), logical("b", try at("2026-03-10T02:00:00Z")),
                       logical("c", try at("2026-03-10T20:00:00Z"))]
        let settings = RetentionSettings(keepDaily: 2)
        let losAngeles = try #require(TimeZone(identifier: "America/Los_Angeles"))
        #expect(make(backups, settings, zone: losAngeles).deleted.map(\.id) == ["a"])
        #expect(make(backups, settings, zone: .gmt).deleted.map(\.id) == ["b"])
    }

    /// 30 December 2026 … 3 January 2027 are ISO week 53 of 2026.
    @Test func isoWeekSpansTheYearBoundary() throws {
        let backups = [logical("w52", try at("2026-12-23T12:00:00Z")), logical("w53-tue", try at("2026-12-29T12:00:00Z")),
                       logical("w53-sat", try at("2027-01-02T12:00:00Z")), logical("w1", try at("2027-01-04T12:00:00Z"))]
        #expect(kept(make(backups, RetentionSettings(keepWeekly: 2))) == ["w1: newest keep_weekly", "w53-sat: keep_weekly"])
        #expect(make(backups, RetentionSettings(keepWeekly: 3)).deleted.map(\.id) == ["w53-tue"])
    }

    /// Kolkata is UTC+5:30, so its hours begin at half past the UTC hour.
    @Test func hoursAreLocalHours() throws {
        let start = try at("2026-05-01T00:00:00Z")
        let backups = (0..<9).map { logical("m\($0 * 20)", start.addingTimeInterval(TimeInterval($0 * 1_200))) }
        let settings = RetentionSettings(keepHourly: 3)
        let kolkata = try #require(TimeZone(identifier: "Asia/Kolkata"))
        #expect(make(backups, settings, zone: kolkata).kept.map(\.backup.id) == ["m160", "m140", "m80"])
        #expect(make(backups, settings, zone: .gmt).kept.map(\.backup.id) == ["m160", "m100", "m40"])
    }

    @Test func monthsAndYears() throws {
        var backups: [RetentionCandidate] = []
        for year in [2025, 2026] {
            for month in 1...(year == 2025 ? 12 : 6) {
                backups.append(logical("\(year)-\(month)", try at(String(format: "%04d-%02d-15T03:00:00Z", year, month))))
            }
        }
        let plan = make(backups, RetentionSettings(keepMonthly: 3, keepYearly: 2))
        #expect(kept(plan) == ["2026-6: newest keep_monthly keep_yearly", "2026-5: keep_monthly", "2026-4: keep_monthly",
                               "2025-12: keep_yearly"])
        #expect(plan.deleted.count == 14)
    }

    /// 2026-12-31T12:00Z is already 2027 in Auckland (UTC+13 in summer).
    @Test func yearsAreYearsOfThePolicysTimeZone() throws {
        let backups = [logical("june", try at("2026-06-01T00:00:00Z")), logical("eve", try at("2026-12-31T09:00:00Z")),
                       logical("noon", try at("2026-12-31T12:00:00Z"))]
        let auckland = try #require(TimeZone(identifier: "Pacific/Auckland"))
        #expect(make(backups, RetentionSettings(keepYearly: 2), zone: auckland).deleted.map(\.id) == ["june"])
        #expect(make(backups, RetentionSettings(keepYearly: 2), zone: .gmt).deleted.map(\.id) == ["eve", "june"])
    }

    /// Mixed, the physical backup of day 3 would use up the logical backups' second day.
    @Test func typesAreCountedSeparately() throws {
        let backups = [logical("l1", try at("2026-03-01T02:00:00Z")), physical("p1", try at("2026-03-01T03:00:00Z"), segments: 0...1),
                       logical("l2", try at("2026-03-02T02:00:00Z")), physical("p3", try at("2026-03-03T03:00:00Z"), segments: 5...6)]
        let plan = make(backups, RetentionSettings(keepDaily: 2), wal: segments(0...9))
        #expect(plan.deleted.isEmpty)
        #expect(kept(plan) == ["p3: newest keep_daily", "l2: newest keep_daily", "p1: keep_daily", "l1: keep_daily"])
        #expect(plan.deletedWAL.isEmpty)
    }

    @Test func pinnedAndNewestOfEachTypeAreAlwaysKept() throws {
        let backups = [logical("l1", try at("2026-03-01T02:00:00Z"), pinned: true), logical("l2", try at("2026-03-02T02:00:00Z")),
                       physical("p1", try at("2026-03-02T03:00:00Z"), segments: 0...1), logical("l3", try at("2026-03-03T02:00:00Z")),
                       physical("p2", try at("2026-03-03T03:00:00Z"), segments: 5...6)]
        let plan = make(backups, RetentionSettings(), wal: segments(0...9))
        #expect(kept(plan) == ["p2: newest", "l3: newest", "l1: pinned"])
        #expect(plan.deleted.map(\.id) == ["p1", "l2"])
        #expect(plan.walKeptFrom == 5)
        #expect(plan.deletedWAL == [0, 1, 2, 3, 4])
    }

    @Test func aKeptBackupWithUnknownSegmentsKeepsAllWAL() throws {
        var unknown = physical("p2", try at("2026-03-03T03:00:00Z"), segments: 5...6)
        unknown.walSegments = nil
        let backups = [physical("p1", try at("2026-03-02T03:00:00Z"), segments: 4...5), unknown]
        let plan = make(backups, RetentionSettings(keepLast: 2), wal: segments(0...9))
        #expect(plan.deleted.isEmpty)
        #expect(plan.deletedWAL.isEmpty)
        #expect(make(backups, RetentionSettings(), wal: segments(0...9)).deletedWAL.isEmpty)
    }

    @Test func withoutARetentionSectionNothingIsPruned() throws {
        let backups = [logical("l1", try at("2026-03-01T02:00:00Z")), physical("p1", try at("2026-03-02T03:00:00Z"), segments: 4...5)]
        let plan = RetentionPlan.make(backups: backups, wal: segments(0...9), settings: nil, timeZone: .gmt, now: try at("2026-04-01T00:00:00Z"))
        #expect(kept(plan) == ["p1: no_retention newest", "l1: no_retention newest"])
        #expect(plan.deleted.isEmpty)
        #expect(plan.deletedWAL.isEmpty)
        #expect(plan.walKeptFrom == nil)
    }

    // MARK: Recovery window

    /// Daily physical backups at 01:10 from 1 to 10 March, one WAL segment an hour.
    private func dailyPhysical() throws -> (backups: [RetentionCandidate], wal: [ArchivedSegment], now: Date) {
        let origin = try at("2026-03-01T00:00:00Z")
        let backups = (1...10).map { day in
            let segment = UInt64((day - 1) * 24 + 1)
            return physical("p\(day)", origin.addingTimeInterval(TimeInterval(segment) * 3_600 + 600), segments: segment...segment + 1)
        }
        return (backups, segments(0...227, origin: origin), try at("2026-03-10T12:00:00Z"))
    }

    /// The window starts on 7 March at 12:00: the backup of 7 March is the
    /// newest consistent before it; those after it stay too (Barman, pgBackRest).
    @Test func recoveryWindowKeepsTheNewestBackupBeforeItAndItsWAL() throws {
        let (backups, wal, now) = try dailyPhysical()
        let window = try #require(PolicyDuration(parsing: "3d"))
        let plan = RetentionPlan.make(backups: backups, wal: wal, settings: RetentionSettings(recoveryWindow: window), timeZone: .gmt, now: now)
        #expect(kept(plan) == ["p10: newest recovery_window", "p9: recovery_window", "p8: recovery_window", "p7: recovery_window"])
        #expect(plan.walKeptFrom == 145)
        #expect(plan.deletedWAL == Array(0..<145))

        let keptWAL = wal.filter { !plan.deletedWAL.contains($0.number) }
        let after = Recoverability(backups: plan.kept.map(\.backup), wal: keptWAL)
        for hour in 0...(3 * 24) {
            #expect(after.covers(now.addingTimeInterval(TimeInterval(-hour * 3_600))), "\(hour) hours ago")
        }
    }

    @Test func aBackupWithoutItsWALDoesNotAnchorTheWindow() throws {
        var (backups, wal, now) = try dailyPhysical()
        backups[6].walSegments = 100_000...100_001
        let window = try #require(PolicyDuration(parsing: "3d"))
        let plan = RetentionPlan.make(backups: backups, wal: wal, settings: RetentionSettings(recoveryWindow: window), timeZone: .gmt, now: now)
        #expect(plan.kept.map(\.backup.id) == ["p10", "p9", "p8", "p6"])
        #expect(plan.walKeptFrom == 121)
    }

    /// `x` starts first but is consistent last: the WAL it needs is kept
    /// although the window's anchor `y` starts later.
    @Test func overlappingBackupsKeepTheEarliestStartSegment() throws {
        let origin = try at("2026-03-01T00:00:00Z")
        let x = RetentionCandidate(id: "x", type: .physical, startedAt: origin.addingTimeInterval(10 * 3_600),
                                   consistentAt: origin.addingTimeInterval(20.5 * 3_600), walSegments: 10...20)
        let y = RetentionCandidate(id: "y", type: .physical, startedAt: origin.addingTimeInterval(12 * 3_600),
                                   consistentAt: origin.addingTimeInterval(15.5 * 3_600), walSegments: 12...15)
        let plan = RetentionPlan.make(backups: [x, y], wal: segments(0...29, origin: origin),
                                      settings: RetentionSettings(recoveryWindow: PolicyDuration(seconds: 12 * 3_600)),
                                      timeZone: .gmt, now: origin.addingTimeInterval(30 * 3_600))
        #expect(kept(plan) == ["y: newest recovery_window", "x: recovery_window"])
        #expect(plan.deletedWAL == Array(0..<10))
    }

    // MARK: From manifests

    @Test func candidateFromAManifest() throws {
        let json = """
        {"format": 1, "id": "20261122T020000Z-3fa2", "cluster": "lms", "type": "physical",
         "started_at": "2026-11-22T02:00:00Z", "finished_at": "2026-11-22T02:10:00Z",
         "server_version": "15.4", "server_major": 15, "system_identifier": "7312", "timeline": 1,
         "start_lsn": "1/2000028", "stop_lsn": "1/4000110", "databases": [], "compression": {"algorithm": "zstd", "level": 3},
         "key_generation": 1, "lifeboat_version": "0.1.0", "objects": [],
         "physical": {"wal_segment_size": 16777216, "start_segment": "000000010000000100000002",
                      "stop_segment": "000000010000000100000004", "checkpoint_lsn": "1/2000060",
                      "wal_ranges": [{"timeline": 1, "start_lsn": "1/2000028", "end_lsn": "1/4000110"}],
                      "consistent_at": "2026-11-22T02:09:00Z", "files": 1000}}
        """
        let manifest = try RepositoryJSON.decode(BackupManifest.self, from: Array(json.utf8))
        let candidate = RetentionCandidate(manifest, pinned: ["20261122T020000Z-3fa2"])
        #expect(candidate.walSegments == 258...260)
        #expect(candidate.consistentAt == (try at("2026-11-22T02:09:00Z")))
        #expect(candidate.startedAt == (try at("2026-11-22T02:00:00Z")))
        #expect(candidate.pinned)
        #expect(!RetentionCandidate(manifest).pinned)
    }

    // MARK: Helpers

    private func at(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text), "not a time: \(text)")
    }

    private func logical(_ id: String, _ startedAt: Date, pinned: Bool = false) -> RetentionCandidate {
        RetentionCandidate(id: id, type: .logical, startedAt: startedAt, pinned: pinned)
    }

    /// Consistent half an hour after it starts.
    private func physical(_ id: String, _ startedAt: Date, segments: ClosedRange<UInt64>) -> RetentionCandidate {
        RetentionCandidate(id: id, type: .physical, startedAt: startedAt, consistentAt: startedAt.addingTimeInterval(1_800), walSegments: segments)
    }

    /// Segment `n` archived at `origin` + n + 1 hours.
    private func segments(_ numbers: ClosedRange<UInt64>, origin: Date = Date(timeIntervalSince1970: 1_772_323_200)) -> [ArchivedSegment] {
        numbers.map { ArchivedSegment(number: $0, archivedAt: origin.addingTimeInterval(TimeInterval($0 + 1) * 3_600)) }
    }

    private func make(_ backups: [RetentionCandidate], _ settings: RetentionSettings, zone: TimeZone = .gmt,
                      wal: [ArchivedSegment] = []) -> RetentionPlan {
        RetentionPlan.make(backups: backups, wal: wal, settings: settings, timeZone: zone, now: Date(timeIntervalSince1970: 1_830_000_000))
    }

    /// "id: reason reason", newest first.
    private func kept(_ plan: RetentionPlan) -> [String] {
        plan.kept.map { "\($0.backup.id): " + $0.reasons.map(\.rawValue).joined(separator: " ") }
    }
}
