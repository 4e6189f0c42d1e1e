import Foundation
import LifeboatTestSupport
import Postgres
import Testing

/// lifeboat's commands against a store that misbehaves: the policy's endpoint
/// is a `FaultProxy` in front of moto. Passing faults are ridden out by
/// retries; faults that never stop fail the command with the store's answer
/// in the message and leave nothing listed, and `prune` clears what is left.
extension S3EndToEndTests {
    /// A bucket reached through a new fault proxy, and a fixture backing up
    /// `s3faults` (with a table big enough for a multipart upload) into it.
    func faultyFixture() throws -> (fixture: PhysicalFixture, bucket: S3TestRepository, proxy: FaultProxy) {
        let server = try TestPostgres.require()
        let moto = try MotoServer.require()
        if try server.connect().query("SELECT count(*) FROM pg_database WHERE datname = 's3faults'").scalar() == "0" {
            try server.createDatabase("s3faults")
            // 400,000 rows of 32 random-looking bytes: over 8 MiB compressed, so a multipart upload.
            try server.connect(database: "s3faults").query("""
                CREATE TABLE digests AS SELECT g, decode(md5(g::text) || md5((-g)::text), 'hex') AS d FROM generate_series(1, 400000) g
                """)
        }
        let proxy = try FaultProxy(upstreamPort: moto.port)
        let bucket = try S3TestRepository(moto)
        let fixture = try PhysicalFixture(server: server, databases: ["s3faults"], jobs: 1,
                                          repository: bucket.policySection(endpoint: proxy.endpoint), archives: false)
        return (fixture, bucket, proxy)
    }

    /// Finishes the WAL segment being written; returns its path in `pg_wal` (not archived: `archive_command` is empty).
    func finishedSegment(_ server: TestPostgres) throws -> (name: String, path: String) {
        let connection = try server.connect()
        try connection.query("CREATE TABLE IF NOT EXISTS s3_wal_writes (at timestamptz DEFAULT now())")
        try connection.query("INSERT INTO s3_wal_writes DEFAULT VALUES")
        let name = try #require(try connection.query("SELECT pg_walfile_name(pg_switch_wal())").scalar())
        return (name, server.dataDirectory + "/pg_wal/" + name)
    }

    @Test func aBackupAndAWALPushGetThroughServerErrorsSlowAnswersAndDroppedUploads() throws {
        let (fixture, bucket, proxy) = try faultyFixture()
        defer { proxy.stop(); fixture.dir.remove(); bucket.remove() }
        // Rules apply in order, at most one per request: every upload is cut
        // off the first time, then 500s, SlowDowns on reads and slow answers —
        // fewer than six failures in a row for any request, which gives up after six attempts.
        let before = proxy.requests.count
        proxy.inject(.dropDuringBody, times: nil, oncePerTarget: true) { $0.isUpload }
        proxy.inject(.status(500, code: "InternalError"), times: 2)
        proxy.inject(.status(503, code: "SlowDown"), times: 2) { $0.method == "GET" }
        proxy.inject(.delay(1.5), times: 2)
        let id = try Self.backupID(try fixture.lifeboat(["backup", "--type", "logical", "--json"]))
        let requests = proxy.requests.dropFirst(before)
        let uploads = Set(requests.filter(\.isUpload).map { $0.method + $0.target }).count
        #expect(requests.contains { $0.isPartUpload }, "the dump went up in one PUT, not as a multipart upload")
        #expect(proxy.faultsApplied == uploads + 6, "every fault was applied, every upload cut off once")

        let segment = try finishedSegment(fixture.server)
        proxy.clearFaults()
        proxy.inject(.dropDuringBody, times: nil, oncePerTarget: true) { $0.isUpload }
        proxy.inject(.status(503, code: "SlowDown"), times: 2)
        proxy.inject(.delay(1.5), times: 1)
        let faultsBefore = proxy.faultsApplied
        let push = try fixture.lifeboat(["wal-push", segment.path])
        #expect(push.status == 0, "\(push.err)")
        #expect(proxy.faultsApplied - faultsBefore >= 4)

        proxy.clearFaults()
        proxy.inject(.status(503, code: "SlowDown"), times: 4) { $0.method == "GET" }
        let verify = try fixture.lifeboat(["verify", "--all"])
        #expect(verify.status == 0, "\(verify.out)\(verify.err)")
        #expect(verify.out.contains(id))
        let fetched = fixture.dir.appending("fetched-" + segment.name)
        let fetch = try fixture.lifeboat(["wal-fetch", segment.name, fetched])
        #expect(fetch.status == 0, "\(fetch.err)")
        #expect(FileManager.default.contentsEqual(atPath: fetched, andPath: segment.path), "the fetched segment differs from the pushed one")
        #expect(try bucket.unfinishedUploads().isEmpty)
    }

    @Test func failuresThatNeverStopFailCleanlyAndPruneClearsTheDebris() throws {
        let (fixture, bucket, proxy) = try faultyFixture()
        defer { proxy.stop(); fixture.dir.remove(); bucket.remove() }
        // Parts always fail, and so does aborting their upload: the debris a crash would leave.
        proxy.inject(.status(500, code: "InternalError"), times: nil) { $0.isPartUpload }
        proxy.inject(.status(503, code: "SlowDown"), times: nil) { $0.method == "DELETE" && $0.target.contains("uploadId=") }
        let backup = try fixture.lifeboat(["backup", "--type", "logical"])
        #expect(backup.status == 1, "\(backup.out)\(backup.err)")
        #expect(backup.err.contains("HTTP 500 InternalError") && backup.err.contains("gave up after 6 attempts"), "\(backup.err)")
        #expect(backup.err.contains(bucket.url))
        #expect(!backup.err.contains(MotoServer.credentials.secretAccessKey) && !backup.out.contains(MotoServer.credentials.secretAccessKey))

        let listing = try Self.decode(Listing.self, try fixture.lifeboat(["list", "--json"]).out)
        #expect(listing.backups.isEmpty, "a failed backup is listed")
        #expect(!(try bucket.keys()).contains { $0.hasPrefix("lms/backups/") }, "objects of the failed backup stayed")
        let debris = try bucket.unfinishedUploads()
        #expect(debris.count == 1 && debris.allSatisfy { $0.hasPrefix("lms/backups/") && $0.hasSuffix("/db-0001.dump") }, "\(debris)")

        proxy.clearFaults()
        proxy.inject(.status(503, code: "SlowDown"), times: nil) { $0.isUpload }
        let segment = try finishedSegment(fixture.server)
        let push = try fixture.lifeboat(["wal-push", segment.path])
        #expect(push.status == 1)
        #expect(push.err.contains("HTTP 503 SlowDown") && push.err.contains("gave up after 6 attempts"), "\(push.err)")
        #expect(!push.err.contains(MotoServer.credentials.secretAccessKey))
        #expect(!(try bucket.keys()).contains { $0.hasSuffix("/" + segment.name) })

        proxy.clearFaults()
        let later = try #require(try fixture.server.connect().query("SELECT (now() + interval '2 hours')::text").scalar())
        let prune = try fixture.lifeboat(["prune", "--now", later])
        #expect(prune.status == 0, "\(prune.err)")
        #expect(try bucket.unfinishedUploads().isEmpty, "prune left the unfinished upload")
        // The store is back: the next backup works and verifies.
        let id = try Self.backupID(try fixture.lifeboat(["backup", "--type", "logical", "--json"]))
        let verify = try fixture.lifeboat(["verify", "--all"])
        #expect(verify.status == 0 && verify.out.contains(id), "\(verify.out)\(verify.err)")
    }
}
