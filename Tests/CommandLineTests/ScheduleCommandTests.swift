import ExternalProgram
import Foundation
import LifeboatTestSupport
import Testing

/// `lifeboat schedule` as an operator runs it: the cron.d file on stdout, the
/// systemd units written with `--output-dir`, exit 2 for a bad policy.
@Suite struct ScheduleCommandTests {
    static let policy = """
        name: lms
        postgres:
          databases: [lms]
        repository:
          url: /var/backups/lifeboat
        encryption:
          key_file: /etc/lifeboat/lms.key
        schedule:
          logical: "0 2 * * *"
          drill: "0 6 1 1,4,7,10 *"
          check: "*/15 * * * *"
        """

    /// Standard output whole, trailing newline included.
    func stdout(_ result: ProgramResult) -> String {
        String(decoding: result.stdout, as: UTF8.self)
    }

    func writePolicy(_ text: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.appending("lms.yaml")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func printsTheCronFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try writePolicy(Self.policy, in: directory)
        let result = try LifeboatBinary.run(["schedule", "--policy", path, "--prometheus", "/var/lib/node/lifeboat.prom"])
        #expect(result.status == 0, "\(result.stderr)")
        let binary = URL(fileURLWithPath: LifeboatBinary.path).resolvingSymlinksInPath().path
        #expect(stdout(result).contains("# Install as /etc/cron.d/lifeboat-lms, owned by root, mode 0644"))
        #expect(stdout(result).contains("\n0 2 * * * postgres out=$(\(binary) backup --policy \(path) --type logical 2>&1) || "), "\(stdout(result))")
        #expect(stdout(result).contains(" drill --policy \(path) --report-dir /var/lib/lifeboat/lms/drills 2>&1"))
        #expect(stdout(result).contains("\n*/15 * * * * postgres out=$(\(binary) check --policy \(path) --prometheus /var/lib/node/lifeboat.prom 2>&1)"))
    }

    @Test func writesSystemdUnits() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try writePolicy(Self.policy, in: directory)
        let units = directory.appending("units")
        try FileManager.default.createDirectory(atPath: units, withIntermediateDirectories: false)
        let result = try LifeboatBinary.run(["schedule", "--policy", path, "--format", "systemd", "--output-dir", units,
                                             "--executable", "/usr/local/bin/lifeboat", "--report-dir", "/srv/drills"])
        #expect(result.status == 0, "\(result.stderr)")
        let names = ["logical", "drill", "check"].flatMap { ["lifeboat-lms-\($0).service", "lifeboat-lms-\($0).timer"] }
        #expect(try FileManager.default.contentsOfDirectory(atPath: units).sorted() == names.sorted())
        for name in names {
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(units)/\(name)")
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644, "\(name)")
            #expect(stdout(result).contains("wrote \(units)/\(name)\n"))
        }
        #expect(stdout(result).contains("systemctl daemon-reload && systemctl enable --now lifeboat-lms-logical.timer lifeboat-lms-drill.timer lifeboat-lms-check.timer"))
        let drill = try String(contentsOfFile: "\(units)/lifeboat-lms-drill.service", encoding: .utf8)
        #expect(drill.contains("\nExecStart=/usr/local/bin/lifeboat drill --policy \(path) --report-dir /srv/drills\n"))
        let timer = try String(contentsOfFile: "\(units)/lifeboat-lms-drill.timer", encoding: .utf8)
        #expect(timer.contains("\nOnCalendar=*-01,04,07,10-01 06:00:00 UTC\n"))
    }

    @Test func writesTheCronFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try writePolicy(Self.policy, in: directory)
        let result = try LifeboatBinary.run(["schedule", "--policy", path, "--output-dir", directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        let file = directory.appending("lifeboat-lms")
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains(" postgres out=$("))
        #expect(stdout(result).hasPrefix("wrote \(file)\n"))
    }

    @Test func nothingScheduledIsNotAnError() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try writePolicy(Self.policy.components(separatedBy: "schedule:")[0], in: directory)
        for format in ["crontab", "systemd"] {
            let result = try LifeboatBinary.run(["schedule", "--policy", path, "--format", format])
            #expect(result.status == 0)
            #expect(stdout(result) == "# The policy \(path) schedules no job (its schedule: section is missing or empty): nothing to install.\n")
        }
    }

    @Test func malformedPolicyExits2() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try writePolicy(Self.policy.replacingOccurrences(of: "\"0 2 * * *\"", with: "\"0 2 * * * *\""), in: directory)
        let result = try LifeboatBinary.run(["schedule", "--policy", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("lifeboat: error: \(path):"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}
