import ExternalProgram
import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// The libpq wrapper against a real, throwaway PostgreSQL.
@Suite(.postgres(settings: ["archive_mode": "on", "archive_command": "'/bin/true'", "archive_timeout": "60"]))
struct PostgresConnectionTests {
    @Test func parameterisedQueriesBindTextAndNull() throws {
        let connection = try TestPostgres.require().connect()
        let result = try connection.query("SELECT $1::int + 1 AS n, $2::text IS NULL AS missing, $3::text AS quoted", ["41", nil, "it's"])
        #expect(result.columns == ["n", "missing", "quoted"])
        #expect(result.rows == [["42", "t", "it's"]])
    }

    @Test func queryErrorsCarryServerMessageAndSQLState() throws {
        let connection = try TestPostgres.require().connect()
        let error = try #require(throws: PostgresError.self) { try connection.query("SELECT * FROM no_such_table") }
        guard case let .queryFailed(_, message, sqlState) = error else { Issue.record("\(error)"); return }
        #expect(message.contains("no_such_table"))
        #expect(sqlState == "42P01")
    }

    @Test func connectionFailureNamesTheTarget() throws {
        let server = try TestPostgres.require()
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(ConnectionParameters(host: server.socketDirectory, port: server.port, user: "postgres", database: "no_such_db"))
        }
        #expect(error.localizedDescription.contains("no_such_db"))
    }

    @Test func serverFactsDescribeTheCluster() throws {
        let server = try TestPostgres.require()
        let facts = try server.connect().serverFacts()
        #expect(facts.majorVersion == (try server.programs.majorVersion(of: "postgres")))
        #expect(!facts.systemIdentifier.isEmpty && facts.systemIdentifier.allSatisfy(\.isNumber))
        let realData = try #require(realpath(server.dataDirectory, nil))
        defer { free(realData) }
        #expect(facts.dataDirectory == String(cString: realData))
        #expect(facts.archiveMode == "on")
        #expect(facts.archiveCommand == "/bin/true")
        #expect(facts.archiveTimeoutSeconds == 60)
        #expect(facts.walLevel == "replica")
        #expect(!facts.inRecovery)
        #expect(facts.timeline == 1)
        #expect(facts.currentLSN > LSN(0))
    }

    @Test func archiverStatusFollowsSwitchedSegments() throws {
        let server = try TestPostgres.require()
        let connection = try server.connect()
        try connection.query("CREATE TABLE IF NOT EXISTS t AS SELECT 1 AS x")
        let before = try connection.serverFacts().archiver.archivedCount
        try connection.query("SELECT pg_switch_wal()")
        var after = before
        for _ in 0..<100 where after == before {
            Thread.sleep(forTimeInterval: 0.1)
            after = try connection.serverFacts().archiver.archivedCount
        }
        #expect(after > before)
        #expect(try connection.serverFacts().archiver.lastArchivedWAL != nil)
    }
}

@Suite struct LSNTests {
    @Test func parsesAndPrints() throws {
        let lsn = try #require(LSN("16/B374D848"))
        #expect(lsn.value == 0x16_B374_D848)
        #expect(lsn.description == "16/B374D848")
        #expect(LSN("0/0") == LSN(0))
        #expect(LSN("16B374D848") == nil)
        #expect(LSN("x/1") == nil)
        #expect(LSN("1/") == nil)
        #expect(try #require(LSN("1/0")) > (try #require(LSN("0/FFFFFFFF"))))
    }
}
