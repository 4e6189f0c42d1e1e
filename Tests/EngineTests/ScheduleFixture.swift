import Foundation
import LifeboatEngine
import LifeboatTestSupport

/// Policies for the schedule tests, loaded from temporary files as the command
/// loads them, with fixed paths for the jobs so the output does not depend on
/// where the tests run.
enum ScheduleFixture {
    /// The passphrase policy's variable; the tests set it to `sentinel`, which must never be printed.
    static let passphraseVariable = "LIFEBOAT_SCHEDULE_TEST_PASSPHRASE"
    static let sentinel = "sentinel-passphrase-5e1f0c77"
    /// 2026-11-22 00:00:00 UTC.
    static let now = Date(timeIntervalSince1970: 1_795_305_600)

    /// A key file and the reference policy's schedule, in UTC.
    static let keyFile = """
        name: lms
        time_zone: UTC
        postgres:
          databases: [lms]
        repository:
          url: /var/backups/lifeboat
        encryption:
          key_file: /etc/lifeboat/lms.key
        schedule:
          logical: "0 2 * * *"
          physical: "30 3 * * 0"
          prune: "0 5 * * *"
          drill: "0 6 1 1,4,7,10 *"
          check: "*/15 * * * *"
          verify: "0 8 * * 6"
        """

    /// A passphrase from the environment and S3 credentials, in Berlin time:
    /// both day fields restricted, weekday and month names, a stepped range.
    static let passphrase = """
        name: shop.eu
        time_zone: Europe/Berlin
        postgres:
          databases: [shop]
          os_user: pgsql
        repository:
          url: s3://acme-backups/postgres
          s3:
            access_key_env: AWS_ACCESS_KEY_ID
            secret_key_env: AWS_SECRET_ACCESS_KEY
        encryption:
          passphrase_env: \(passphraseVariable)
        schedule:
          logical: "15 1 1,15 * sat,sun"
          physical: "45 3 * * mon-fri"
          drill: "30 7 1 jan,apr,jul,oct *"
          check: "*/15 6-22 * * *"
        """

    /// Loads policy text from a temporary file.
    static func policy(_ text: String) throws -> Policy {
        let directory = try TemporaryDirectory(prefix: "lifeboat-schedule")
        defer { directory.remove() }
        let path = directory.appending("policy.yaml")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return try PolicyLoader.load(path: path)
    }

    /// The plan for policy text, as `/etc/lifeboat/<name>.yaml` run by `/usr/local/bin/lifeboat`.
    static func plan(_ text: String, reportDirectory: String? = nil, prometheusFile: String? = nil,
                     executable: String = "/usr/local/bin/lifeboat") throws -> SchedulePlan {
        let policy = try policy(text)
        let setup = ScheduleSetup(executable: executable, policyFile: "/etc/lifeboat/\(policy.name).yaml",
                                  reportDirectory: reportDirectory, prometheusFile: prometheusFile)
        return try SchedulePlan(policy: policy, setup: setup)
    }

    /// Runs a program; its exit status and what it printed on stdout and stderr together.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TZ"] = "UTC"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `systemd-analyze`, when this machine has it.
    static let systemdAnalyze: String? = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}
