import Foundation
import LifeboatEngine
import Postgres
import Testing

/// The pieces a drill and the DR report are measured with.
struct DrillPartsTests {
    @Test func theHorizonAdmitsOnlyWhatWasArchivedAtTheDisaster() throws {
        let last = try #require(WALFileName("000000020000000100000003"))
        let horizon = WALHorizon(last: last)
        #expect(horizon.admits(try #require(WALFileName("000000020000000100000003"))))
        #expect(horizon.admits(try #require(WALFileName("0000000100000000000000FF")) ))
        #expect(horizon.admits(try #require(WALFileName("00000002.history"))))
        #expect(!horizon.admits(try #require(WALFileName("000000020000000100000004"))), "the next segment was not archived yet")
        #expect(!horizon.admits(try #require(WALFileName("000000030000000100000001"))), "a later timeline did not exist")
        #expect(!horizon.admits(try #require(WALFileName("00000003.history"))))
        #expect(!horizon.admits(try #require(WALFileName("000000020000000200000000.partial"))))
    }

    @Test func recoveryFactsComeFromPostgreSQLsOwnLog() throws {
        let log = """
            2026-11-22 06:00:40.100 UTC [812] LOG:  starting archive recovery
            2026-11-22 06:00:41.200 UTC [812] LOG:  redo done at 0/5000148 system usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.10 s
            2026-11-22 06:00:41.201 UTC [812] LOG:  last completed transaction was at log time 2026-11-22 05:59:58.123456+00
            """
        let facts = RecoveryLog(log: log)
        #expect(facts.redoDone == LSN("0/5000148"))
        let time = try #require(facts.lastTransaction)
        #expect(abs(time.timeIntervalSince1970 - 1_795_327_198.123456) < 0.000_01)
        #expect(RecoveryLog(log: "LOG:  database system is ready").lastTransaction == nil)
    }

    @Test func periodsParseAndStepBack() throws {
        let utc = try #require(TimeZone(identifier: "UTC"))
        let q4 = try #require(ReportPeriod(parsing: "2026-Q4", timeZone: utc))
        #expect(q4.kind == .quarter)
        #expect(q4.contains(try #require(RecoveryTarget.parseTime("2026-10-01 00:00:00+00", zone: utc))))
        #expect(!q4.contains(try #require(RecoveryTarget.parseTime("2027-01-01 00:00:00+00", zone: utc))))
        #expect(q4.previous(timeZone: utc).label == "2026-Q3")
        #expect(try #require(ReportPeriod(parsing: "2026-Q1", timeZone: utc)).previous(timeZone: utc).label == "2025-Q4")
        #expect(try #require(ReportPeriod(parsing: "2026-01", timeZone: utc)).previous(timeZone: utc).label == "2025-12")
        #expect(try #require(ReportPeriod(parsing: "2026", timeZone: utc)).end == RecoveryTarget.parseTime("2027-01-01 00:00:00+00", zone: utc))
        for bad in ["2026-Q5", "2026-Q0", "2026-13", "26-Q1", "2026-1", "Q4", ""] {
            #expect(ReportPeriod(parsing: bad, timeZone: utc) == nil, "\(bad)")
        }
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let local = try #require(ReportPeriod(parsing: "2026-Q4", timeZone: berlin))
        #expect(local.start == RecoveryTarget.parseTime("2026-09-30 22:00:00+00", zone: utc), "a period starts at local midnight")
    }

    @Test func aDrillRecordRoundTripsWithTheDesignKeys() throws {
        let record = DrillRecord(id: "20261122T060000Z-8c1d", cluster: "lms", backupID: "b", backupType: "physical",
                                 startedAt: Date(timeIntervalSince1970: 1_795_327_200), finishedAt: Date(timeIntervalSince1970: 1_795_327_260),
                                 target: "end of archive", outcome: .objectivesMissed, error: nil, rtoSeconds: 41.5, rtoTargetSeconds: 30,
                                 rpoSeconds: 0, rpoTargetSeconds: 300, rpo: nil, phases: [.init(name: "restore", seconds: 41.5)],
                                 checks: [.init(name: "pg_amcheck", passed: true, detail: "ok")], runbooks: ["run-a-drill.md"],
                                 host: "db1", lifeboatVersion: "0", serverVersion: "15.20")
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let json = try JSONSerialization.jsonObject(with: try encoder.encode(record)) as? [String: Any] ?? [:]
        for key in ["id", "backup_id", "started_at", "target", "passed", "rto_seconds", "rto_target_seconds", "rpo_seconds",
                    "rpo_target_seconds", "phases", "checks"] {
            #expect(json[key] != nil, "design key \(key)")
        }
        #expect(json["passed"] as? Bool == false)
        #expect(record.rtoMet == false && record.rpoMet == true)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode(DrillRecord.self, from: try encoder.encode(record)) == record)
    }
}
