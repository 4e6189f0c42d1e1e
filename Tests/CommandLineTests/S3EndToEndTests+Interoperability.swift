import ExternalProgram
import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// What lifeboat writes to S3 is plain S3 objects: the `aws` command line
/// lists and fetches them, and the runbook's "Recover data without lifeboat"
/// steps — `aws s3 sync`, the Python decryption script, `zstd -d`,
/// `pg_restore` — bring a database back from the bucket without lifeboat.
extension S3EndToEndTests {
    struct ManifestObjects: Decodable {
        struct Object: Decodable { let name: String; let sha256: String; let format: String }
        struct Compression: Decodable { let algorithm: String }
        let objects: [Object]
        let compression: Compression
    }

    /// Runs `name` from PATH; never throws for a non-zero exit.
    static func run(_ name: String, _ arguments: [String], input: Data? = nil) throws -> ProgramResult {
        let executable = try #require(ExecutableLocator.onPath(name), "\(name) is not on PATH")
        return try ProgramRunner.run(Program(executable, arguments), input: input, allowFailure: true)
    }

    /// Regular files under `directory`, as relative paths.
    static func files(under directory: String) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: directory).filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory + "/" + $0, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    @Test func theAWSCommandLineAndTheRunbookScriptRecoverADatabaseFromTheBucket() throws {
        let server = try TestPostgres.require()
        try LogicalBackupTests.makeSource(server, "s3interop", role: "s3_interop_reader")
        let bucket = try S3TestRepository(try MotoServer.require())
        defer { bucket.remove() }
        let fixture = try PhysicalFixture(server: server, databases: ["s3interop"], jobs: 1, repository: bucket.policySection(), archives: false)
        defer { fixture.dir.remove() }
        let id = try Self.backupID(try fixture.lifeboat(["backup", "--type", "logical", "--json"]))
        let backup = "lms/backups/\(id)"

        // aws s3 ls shows every object lifeboat wrote, under the prefix.
        let ls = try bucket.aws(["s3", "ls", "--recursive", "s3://\(bucket.bucket)/\(bucket.prefix)/"])
        try #require(ls.status == 0, "\(ls.stderr)")
        let listed = ls.output.split(separator: "\n").compactMap { $0.split(separator: " ").last.map(String.init) }
        for key in ["repository.json", "keys/keyring", "\(backup)/manifest.json", "\(backup)/globals.sql", "\(backup)/db-0001.dump"] {
            #expect(listed.contains("\(bucket.prefix)/\(key)"), "aws s3 ls does not list \(key):\n\(ls.output)")
        }
        #expect(listed.contains { $0.hasPrefix("\(bucket.prefix)/keys/slots/") })

        // The runbook's steps: aws s3 sync copies everything, or only the keys and one backup.
        let work = try TemporaryDirectory()
        defer { work.remove() }
        let whole = work.appending("whole")
        let sync = try bucket.aws(["s3", "sync", "s3://\(bucket.bucket)/\(bucket.prefix)", whole])
        try #require(sync.status == 0, "\(sync.stderr)")
        #expect(try Set(bucket.keys()) == Set(Self.files(under: whole)))
        let copy = work.appending("lifeboat-copy")
        let selective = try bucket.aws(["s3", "sync", "s3://\(bucket.bucket)/\(bucket.prefix)", copy, "--exclude", "*",
                                        "--include", "repository.json", "--include", "keys/*", "--include", "\(backup)/*"])
        try #require(selective.status == 0, "\(selective.stderr)")
        #expect(try !Self.files(under: copy).contains { $0.hasPrefix("lms/runs/") })
        for file in try Self.files(under: copy) {
            #expect(FileManager.default.contentsEqual(atPath: "\(copy)/\(file)", andPath: "\(whole)/\(file)"))
        }

        let script = try RunbookScript.extract(into: work)
        let keyFile = fixture.dir.appending("lms.key")
        func decrypt(_ object: String) throws -> Data {
            let result = try Self.run("python3", [script, copy, object, "--key-file", keyFile])
            try #require(result.status == 0, "decrypting \(object): \(result.stderr)")
            return result.stdout
        }
        let manifest = try JSONDecoder().decode(ManifestObjects.self, from: try decrypt("\(backup)/manifest.json"))
        #expect(manifest.compression.algorithm == "zstd")
        let entry = try #require(manifest.objects.first { $0.name == "db-0001.dump" })
        #expect(entry.format == "custom")

        let zstd = try Self.run("zstd", ["-d", "-c"], input: try decrypt("\(backup)/db-0001.dump"))
        try #require(zstd.status == 0, "\(zstd.stderr)")
        let dump = work.appending("s3interop.dump")
        try zstd.stdout.write(to: URL(fileURLWithPath: dump))
        let sha256 = try Self.run("sha256sum", [dump])
        #expect(sha256.output.hasPrefix(entry.sha256 + " "), "the dump differs from what the manifest recorded")

        let pgRestore = try server.programs.path(of: "pg_restore")
        let list = try ProgramRunner.run(Program(pgRestore, ["--list", dump]), allowFailure: true)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.output.contains("TABLE public people") && list.output.contains("TABLE DATA audit events"))
        try server.createDatabase("s3interop_by_hand")
        let restore = try ProgramRunner.run(Program(pgRestore, ["-h", server.socketDirectory, "-p", String(server.port), "-U", "postgres",
                                                                 "-d", "s3interop_by_hand", "--exit-on-error", dump]), allowFailure: true)
        #expect(restore.status == 0, "\(restore.stderr)")
        let source = try Self.tableChecksums(try server.connect(database: "s3interop"))
        #expect(try Self.tableChecksums(try server.connect(database: "s3interop_by_hand")) == source)
    }
}
