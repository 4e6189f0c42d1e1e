import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// Logical backup and restore end to end, through the `lifeboat` binary,
/// against a real PostgreSQL: what an operator relies on.
@Suite(.postgres, .serialized)
struct LogicalBackupTests {
    /// A repository and a policy for the suite's server, backing up `databases`.
    struct Fixture {
        let dir: TemporaryDirectory
        let policy: String
        let server: TestPostgres

        init(server: TestPostgres, databases: [String], binDir: String? = nil, jobs: Int = 1) throws {
            self.server = server
            dir = try TemporaryDirectory()
            policy = dir.appending("lms.yaml")
            let bin = (binDir.map { "\n  bin_dir: \($0)" } ?? "") + "\n  jobs: \(jobs)"
            try Data("""
                name: lms
                postgres:
                  host: \(server.socketDirectory)
                  port: \(server.port)
                  user: postgres
                  databases: [\(databases.joined(separator: ", "))]\(bin)
                repository:
                  url: \(dir.appending("repo"))
                compression: {algorithm: zstd, level: 3}
                encryption:
                  key_file: \(dir.appending("lms.key"))
                """.utf8).write(to: URL(fileURLWithPath: policy))
            let initResult = try lifeboat(["init"])
            guard initResult.status == 0 else { throw TestPostgresError.startFailed(initResult.err) }
        }

        @discardableResult
        func lifeboat(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
            let result = try LifeboatBinary.run(arguments + ["--policy", policy])
            return (result.status, result.output, result.stderr)
        }

        func backup() throws -> String {
            let result = try lifeboat(["backup", "--json"])
            guard result.status == 0 else { throw TestPostgresError.startFailed("backup failed: \(result.err)") }
            struct Report: Decodable { let id: String }
            return try JSONDecoder().decode(Report.self, from: Data(result.out.utf8)).id
        }
    }

    static let schema = """
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE TABLE people (
            id serial PRIMARY KEY, name text NOT NULL UNIQUE, mood mood, tags text[], profile jsonb,
            balance numeric(20,6) CHECK (balance > -1000), born timestamptz, photo bytea);
        CREATE TABLE orders (id bigserial PRIMARY KEY, person_id int REFERENCES people(id), amount numeric, note text);
        CREATE INDEX orders_person ON orders (person_id);
        CREATE SCHEMA audit;
        CREATE TABLE audit.events (at timestamptz, what text);
        CREATE VIEW rich AS SELECT name FROM people WHERE balance > 100;
        CREATE FUNCTION double_it(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x * 2';
        COMMENT ON TABLE people IS 'everyone we know';
        COMMENT ON COLUMN people.profile IS 'free-form';
        INSERT INTO people (name, mood, tags, profile, balance, born, photo)
            SELECT 'p' || g, (ARRAY['sad','ok','happy'])[1 + g % 3]::mood, ARRAY['a' || g, 'b'],
                   jsonb_build_object('k', g, 'nested', jsonb_build_array(g, 'x', null)), g * 1.5 - 7,
                   '2000-01-01 00:00:00+00'::timestamptz + g * interval '1 day 3 hours', decode(md5(g::text), 'hex')
              FROM generate_series(1, 500) g;
        INSERT INTO orders (person_id, amount, note) SELECT 1 + g % 500, g / 7.0, repeat('n', g % 50) FROM generate_series(1, 3000) g;
        INSERT INTO audit.events SELECT now() - g * interval '1 minute', 'event ' || g FROM generate_series(1, 100) g;
        SELECT setval('orders_id_seq', 5000);
        SELECT lo_from_bytea(0, 'large object payload'::bytea);
        """

    /// Everything that must survive a restore, as comparable text.
    static func fingerprint(_ server: TestPostgres, _ database: String, host: TestPostgres? = nil) throws -> [String: String] {
        let c = try (host ?? server).connect(database: database)
        func one(_ sql: String) throws -> String { try c.query(sql).scalar() ?? "NULL" }
        var result: [String: String] = [:]
        for table in ["public.people", "public.orders", "audit.events"] {
            result[table] = try one("SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM \(table) t")
        }
        result["sequence"] = try one("SELECT last_value::text FROM orders_id_seq")
        result["large objects"] = try one("SELECT string_agg(md5(lo_get(oid)), ',' ORDER BY 1) FROM pg_largeobject_metadata")
        result["view"] = try one("SELECT pg_get_viewdef('rich'::regclass)")
        result["function"] = try one("SELECT pg_get_functiondef('double_it'::regproc)")
        result["comments"] = try one("SELECT obj_description('people'::regclass) || '/' || col_description('people'::regclass, 5)")
        result["grants"] = try one("SELECT coalesce(relacl::text, '') FROM pg_class WHERE oid = 'people'::regclass")
        result["indexes"] = try one("SELECT string_agg(indexdef, ';' ORDER BY indexdef) FROM pg_indexes WHERE schemaname IN ('public', 'audit')")
        result["constraints"] = try one("SELECT string_agg(conname || ':' || pg_get_constraintdef(oid), ';' ORDER BY conname) FROM pg_constraint WHERE connamespace = 'public'::regnamespace")
        result["enum"] = try one("SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum")
        return result
    }

    static func makeSource(_ server: TestPostgres, _ name: String, role: String) throws {
        try server.createDatabase(name)
        try server.psql("CREATE ROLE \(role) NOLOGIN CREATEDB")
        try server.psql(schema + "\nGRANT SELECT ON people TO \(role);", database: name)
    }

    @Test func restoredDatabaseEqualsTheSourceTableByTable() throws {
        let server = try TestPostgres.require()
        try Self.makeSource(server, "shop", role: "reporting_a")
        let f = try Fixture(server: server, databases: ["shop"])
        defer { f.dir.remove() }
        let id = try f.backup()

        let list = try f.lifeboat(["list"])
        #expect(list.out.contains(id) && list.out.contains("logical"))
        let restore = try f.lifeboat(["restore", "--backup", id, "--database", "shop_restored"])
        #expect(restore.status == 0, "\(restore.err)")
        #expect(try Self.fingerprint(server, "shop_restored") == (try Self.fingerprint(server, "shop")))

        // Into an existing, non-empty database: refused unless --clean.
        let again = try f.lifeboat(["restore", "--database", "shop_restored"])
        #expect(again.status == 1)
        #expect(again.err.contains("not empty"))
        try server.psql("DELETE FROM orders WHERE id < 100; UPDATE people SET name = 'changed' WHERE id = 1;", database: "shop_restored")
        let clean = try f.lifeboat(["restore", "--database", "shop_restored", "--clean"])
        #expect(clean.status == 0, "\(clean.err)")
        #expect(try Self.fingerprint(server, "shop_restored") == (try Self.fingerprint(server, "shop")))
    }

    @Test func singleTableRestore() throws {
        let server = try TestPostgres.require()
        try Self.makeSource(server, "shop2", role: "reporting_b")
        let f = try Fixture(server: server, databases: ["shop2"])
        defer { f.dir.remove() }
        _ = try f.backup()
        let result = try f.lifeboat(["restore", "--database", "only_events", "--table", "audit.events"])
        #expect(result.status == 0, "\(result.err)")
        let c = try server.connect(database: "only_events")
        #expect(try c.query("SELECT count(*) FROM audit.events").scalar() == "100")
        #expect(try c.query("SELECT count(*) FROM pg_tables WHERE tablename IN ('people', 'orders')").scalar() == "0")
        let source = try Self.fingerprint(server, "shop2")["audit.events"]
        let restored = try c.query("SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM audit.events t").scalar()
        #expect(restored == source)
        #expect(try f.lifeboat(["restore", "--database", "x", "--table", "nodot"]).status == 1)
    }

    @Test func rolesAreRestoredWithGlobalsIntoASecondCluster() throws {
        let server = try TestPostgres.require()
        try Self.makeSource(server, "shop3", role: "reporting_c")
        let f = try Fixture(server: server, databases: ["shop3"])
        defer { f.dir.remove() }
        _ = try f.backup()
        let second = try TestPostgres.start()
        defer { second.stop() }
        let result = try f.lifeboat(["restore", "--database", "shop3", "--globals", "--host", second.socketDirectory, "--port", String(second.port)])
        #expect(result.status == 0, "\(result.err)")
        let c = try second.connect()
        #expect(try c.query("SELECT rolcreatedb FROM pg_roles WHERE rolname = 'reporting_c'").scalar() == "t")
        #expect(try Self.fingerprint(server, "shop3", host: second) == (try Self.fingerprint(server, "shop3")))
    }

    @Test func verifyCatchesAFlippedByteAndRestoreRefusesTheBackup() throws {
        let server = try TestPostgres.require()
        try Self.makeSource(server, "shop4", role: "reporting_d")
        let f = try Fixture(server: server, databases: ["shop4"])
        defer { f.dir.remove() }
        let id = try f.backup()
        #expect(try f.lifeboat(["verify"]).status == 0)

        let object = f.dir.appending("repo/lms/backups/\(id)/db-0001.dump")
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: object)))
        bytes[bytes.count * 2 / 3] ^= 0x04
        try Data(bytes).write(to: URL(fileURLWithPath: object))

        let verify = try f.lifeboat(["verify", "--json"])
        #expect(verify.status == 5)
        struct Report: Decodable {
            struct Backup: Decodable { struct Object: Decodable { let name: String; let ok: Bool; let detail: String }; let objects: [Object] }
            let ok: Bool
            let backups: [Backup]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(verify.out.utf8))
        #expect(!report.ok)
        let bad = report.backups.flatMap(\.objects).filter { !$0.ok }
        #expect(bad.map(\.name) == ["db-0001.dump"])
        #expect(bad.first?.detail.contains("failed authentication") == true)

        let restore = try f.lifeboat(["restore", "--database", "shop4_bad"])
        #expect(restore.status == 5, "\(restore.err)")
        #expect(try server.connect().query("SELECT count(*) FROM pg_database WHERE datname = 'shop4_bad'").scalar() == "0")
    }

    @Test func aKilledPgDumpLeavesNothingListed() throws {
        let server = try TestPostgres.require()
        try Self.makeSource(server, "shop5", role: "reporting_e")
        // pg_dump that dies by SIGKILL after part of its output.
        let bin = try TemporaryDirectory()
        defer { bin.remove() }
        let real = try server.programs.path(of: "pg_dump")
        for tool in ["pg_dumpall", "pg_restore", "psql"] {
            try FileManager.default.createSymbolicLink(atPath: bin.appending(tool), withDestinationPath: try server.programs.path(of: tool))
        }
        try Data("""
            #!/bin/sh
            if [ "$1" = "--version" ]; then exec \(real) --version; fi
            \(real) "$@" | head -c 20000
            echo "pg_dump: simulated crash" >&2
            kill -9 $$
            """.utf8).write(to: URL(fileURLWithPath: bin.appending("pg_dump")))
        chmod(bin.appending("pg_dump"), 0o755)
        let f = try Fixture(server: server, databases: ["shop5"], binDir: bin.path)
        defer { f.dir.remove() }

        let result = try f.lifeboat(["backup"])
        #expect(result.status == 1)
        #expect(result.err.contains("pg_dump was killed by signal 9"))
        #expect(result.err.contains("simulated crash"))
        #expect(try f.lifeboat(["list"]).out == "no backups of lms yet")
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: f.dir.appending("repo")).filter { $0.hasPrefix("lms/backups/") && !$0.hasSuffix("/") }
        #expect(leftovers.allSatisfy { !$0.contains(".") || $0.split(separator: "/").count < 4 }, "no objects of the failed backup: \(leftovers)")
        // The next backup starts at once: no stale lock.
        #expect(try f.lifeboat(["list", "--json"]).status == 0)
    }

    @Test func parallelJobsUseTheDirectoryFormat() throws {
        let server = try TestPostgres.require()
        try Self.makeSource(server, "shop6", role: "reporting_f")
        let f = try Fixture(server: server, databases: ["shop6"], jobs: 2)
        defer { f.dir.remove() }
        let id = try f.backup()
        #expect(FileManager.default.fileExists(atPath: f.dir.appending("repo/lms/backups/\(id)/db-0001.tar")))
        #expect(try f.lifeboat(["verify", "--backup", id]).status == 0)
        let restore = try f.lifeboat(["restore", "--database", "shop6_parallel"])
        #expect(restore.status == 0, "\(restore.err)")
        #expect(try Self.fingerprint(server, "shop6_parallel") == (try Self.fingerprint(server, "shop6")))
        let table = try f.lifeboat(["restore", "--database", "shop6_people", "--table", "public.people"])
        #expect(table.status == 0, "\(table.err)")
        #expect(try server.connect(database: "shop6_people").query("SELECT count(*) FROM people").scalar() == "500")
        // Nothing of the dump is left in the temporary directory.
        let leftovers = (try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())).filter { $0.hasPrefix("lifeboat-dump") || $0.hasPrefix("lifeboat-restore") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
