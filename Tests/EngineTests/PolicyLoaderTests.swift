import Foundation
import LifeboatEngine
import Testing

/// Policies load into typed values, and every mistake is reported with file,
/// line and field.
@Suite struct PolicyLoaderTests {
    static let policiesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("policies").path

    static var examples: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: policiesDirectory)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test func everyExamplePolicyIsThere() {
        #expect(Self.examples == ["minimal-local.yaml", "reference.yaml", "s3.yaml"])
    }

    @Test(arguments: examples)
    func examplePolicyLoads(_ name: String) throws {
        let policy = try PolicyLoader.load(path: "\(Self.policiesDirectory)/\(name)")
        #expect(!policy.name.isEmpty)
    }

    @Test func referencePolicyHasEveryValue() throws {
        let p = try PolicyLoader.load(path: "\(Self.policiesDirectory)/reference.yaml")
        #expect(p.name == "lms")
        #expect(p.postgres.port == 5432)
        #expect(p.postgres.databases == ["lms"])
        #expect(p.postgres.jobs == 2 && p.postgres.physicalJobs == 2)
        #expect(!p.postgres.fastCheckpoint && p.postgres.walWait == PolicyDuration(seconds: 60) && p.postgres.osUser == "postgres")
        #expect(p.repository.location == .local(path: "/var/backups/lifeboat"))
        #expect(p.compression.algorithm == .zstd && p.compression.level == 3 && p.compression.threads == 0)
        #expect(p.encryption.keyFile == "/etc/lifeboat/lms.key")
        #expect(p.retention?.keepDaily == 7 && p.retention?.keepMonthly == 12)
        #expect(p.retention?.recoveryWindow == PolicyDuration(seconds: 7 * 86_400))
        #expect(p.objectives?.rto == PolicyDuration(seconds: 900) && p.objectives?.rpo == PolicyDuration(seconds: 300))
        #expect(p.schedule.drill?.months == [1, 4, 7, 10])
        #expect(p.drill.checks.count == 2)
        #expect(p.drill.checks[0].expectation == Expectation(parsing: ">= 1"))
    }

    @Test func s3PolicyParsesBucketAndPrefix() throws {
        let p = try PolicyLoader.load(path: "\(Self.policiesDirectory)/s3.yaml")
        #expect(p.repository.location == .s3(bucket: "acme-backups", prefix: "postgres"))
        #expect(p.repository.s3?.credentialsFile == "/etc/lifeboat/shop.s3-credentials" && p.repository.s3?.profile == "shop")
        #expect(p.repository.s3?.accessKeyEnv == nil)
        #expect(p.timeZone.identifier == "Europe/Berlin")
    }

    /// The keys come from the variables or the file, never half from each.
    @Test func s3CredentialsFileExcludesVariablesAndCarriesTheProfile() throws {
        func s3(_ settings: String) -> String {
            Self.base.replacingOccurrences(of: "url: /var/backups/lifeboat", with: "url: s3://b/p\n  s3: {\(settings)}")
        }
        let both = try error(s3("credentials_file: /etc/lifeboat/s3, secret_key_env: S"))
        #expect(both.field == "repository.s3.credentials_file" && both.message.contains("secret_key_env, not both"))
        #expect(try error(s3("profile: shop")).field == "repository.s3.profile")
        #expect(try error(s3("credentials_file: s3-credentials")).message.contains("absolute path"))
        let p = try PolicyLoader.parse(s3("credentials_file: /etc/lifeboat/s3"), file: "p.yaml")
        #expect(p.repository.s3?.credentialsFile == "/etc/lifeboat/s3" && p.repository.s3?.profile == nil)
    }

    static let base = """
        name: lms
        postgres:
          databases: [lms]
        repository:
          url: /var/backups/lifeboat
        encryption:
          key_file: /etc/lifeboat/lms.key

        """

    func error(_ yaml: String) throws -> PolicyError {
        try #require(throws: PolicyError.self) { _ = try PolicyLoader.parse(yaml, file: "p.yaml") }
    }

    @Test func unknownKeyIsNamedWithLineAndSuggestion() throws {
        let e = try error(Self.base + "retention:\n  keep_lats: 3\n")
        #expect(e.file == "p.yaml")
        #expect(e.line == 9)
        #expect(e.field == "retention.keep_lats")
        #expect(e.message.contains("did you mean 'keep_last'"))
        #expect(e.localizedDescription.hasPrefix("p.yaml:9: retention.keep_lats: unknown field"))
    }

    @Test func unknownTopLevelKey() throws {
        let e = try error(Self.base + "compresion: {algorithm: zstd}\n")
        #expect(e.field == "compresion" && e.line == 8)
        #expect(e.message.contains("did you mean 'compression'"))
    }

    @Test func malformedYAMLNamesTheLine() throws {
        let e = try error("name: lms\npostgres:\n  databases: [lms\nrepository:\n  url: /x\n")
        #expect(e.line != nil)
        #expect(e.message.contains("not valid YAML"))
    }

    @Test(arguments: [
        ("retention:\n  keep_last: -1\n", "retention.keep_last", "must be 0 or more"),
        ("retention:\n  keep_daily: many\n", "retention.keep_daily", "expected a whole number"),
        ("retention:\n  recovery_window: 7 days\n", "retention.recovery_window", "is not a duration"),
        ("retention:\n  recovery_window: -7d\n", "retention.recovery_window", "is not a duration"),
        ("objectives:\n  rto: 0m\n", "objectives.rto", "is not a duration"),
        ("schedule:\n  prune: \"0 5 * * * *\"\n", "schedule.prune", "expected 5 fields"),
        ("schedule:\n  prune: \"61 5 * * *\"\n", "schedule.prune", "out of range"),
        ("schedule:\n  prune: \"0 0 31 2 *\"\n", "schedule.prune", "never fires"),
        ("compression:\n  algorithm: brotli\n", "compression.algorithm", "is not supported"),
        ("compression:\n  algorithm: gzip\n  level: 12\n", "compression.level", "between 1 and 9"),
        ("time_zone: Mars/Olympus\n", "time_zone", "is not a time zone"),
        ("time_zone: PST\n", "time_zone", "is not a time zone name of the tz database"),
        ("time_zone: UTC+1\n", "time_zone", "is not a time zone name of the tz database"),
        ("drill:\n  checks:\n    - { name: x, sql: \"SELECT 1\", expect: \"about 3\" }\n", "drill.checks[0].expect", "is not an expectation"),
        ("drill:\n  workspace: relative/dir\n", "drill.workspace", "absolute path"),
        ("postgres2: {}\n", "postgres2", "unknown field"),
    ])
    func invalidValuesAreReportedAtTheirField(_ extra: String, _ field: String, _ message: String) throws {
        let e = try error(Self.base + extra)
        #expect(e.field == field)
        #expect(e.message.contains(message), "\(e.message)")
        #expect((e.line ?? 0) >= 8, "the line of the offending field")
    }

    @Test func parallelJobsAreBounded() throws {
        let e = try error(Self.base.replacingOccurrences(of: "  databases: [lms]", with: "  databases: [lms]\n  jobs: 0"))
        #expect(e.field == "postgres.jobs" && e.line == 4 && e.message.contains("between 1 and 64"))
        let p = try PolicyLoader.parse(Self.base.replacingOccurrences(of: "  databases: [lms]", with: "  databases: [lms]\n  jobs: 4"), file: "p.yaml")
        #expect(p.postgres.jobs == 4)
        let checkpoint = try error(Self.base.replacingOccurrences(of: "  databases: [lms]", with: "  databases: [lms]\n  checkpoint: now"))
        #expect(checkpoint.field == "postgres.checkpoint" && checkpoint.line == 4 && checkpoint.message.contains("fast or spread"))
        let wait = try error(Self.base.replacingOccurrences(of: "  databases: [lms]", with: "  databases: [lms]\n  wal_wait: soon"))
        #expect(wait.field == "postgres.wal_wait" && wait.line == 4)
    }

    @Test func wrongTypeIsNamed() throws {
        let e = try error("name: lms\npostgres:\n  databases: lms\nrepository:\n  url: /x\nencryption:\n  key_file: /k\n")
        #expect(e.field == "postgres.databases" && e.line == 3)
        #expect(e.message.contains("expected a list"))
    }

    @Test func missingRequiredSections() throws {
        #expect(try error("name: lms\npostgres: {}\nrepository:\n  url: /x\n").field == "encryption")
        #expect(try error("postgres: {}\nrepository:\n  url: /x\nencryption: {key_file: /k}\n").field == "name")
        #expect(try error("name: lms\npostgres: {}\nrepository:\n  url: /x\nencryption: {}\n").message.contains("needs key_file"))
        #expect(try error("").message.contains("is empty"))
    }

    @Test func duplicateKeyIsAnError() throws {
        let e = try error(Self.base + "retention:\n  keep_last: 3\n  keep_last: 4\n")
        #expect(e.line == 9)
        #expect(e.message == "'keep_last' appears twice in the same mapping")
    }

    @Test func badNameAndRepositoryURL() throws {
        #expect(try error(Self.base.replacingOccurrences(of: "name: lms", with: "name: LMS Prod")).field == "name")
        #expect(try error(Self.base.replacingOccurrences(of: "url: /var/backups/lifeboat", with: "url: backups")).field == "repository.url")
        #expect(try error(Self.base.replacingOccurrences(of: "url: /var/backups/lifeboat", with: "url: /x\n  s3: {region: x}")).field == "repository.s3")
    }

    @Test func rpoTighterThanLogicalScheduleIsRefused() throws {
        let e = try error(Self.base + "objectives:\n  rpo: 5m\nschedule:\n  logical: \"0 2 * * *\"\n")
        #expect(e.field == "objectives.rpo" && e.line == 9)
        #expect(e.message.contains("up to 1d of changes can be lost"))
        // With WAL archiving (physical backups) the same target is fine, and so is a looser one.
        _ = try PolicyLoader.parse(Self.base + "objectives:\n  rpo: 5m\nschedule:\n  logical: \"0 2 * * *\"\n  physical: \"0 3 * * *\"\n", file: "p.yaml")
        _ = try PolicyLoader.parse(Self.base + "objectives:\n  rpo: 1d\nschedule:\n  logical: \"0 2 * * *\"\n", file: "p.yaml")
    }

    @Test func unreadableFileIsAPolicyError() throws {
        let e = try #require(throws: PolicyError.self) { _ = try PolicyLoader.load(path: "/nonexistent/lifeboat.yaml") }
        #expect(e.file == "/nonexistent/lifeboat.yaml" && e.message.contains("cannot read"))
    }
}
