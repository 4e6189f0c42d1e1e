import Foundation
@testable import LifeboatEngine
import LifeboatTestSupport
import Testing

/// `lifeboat schedule`'s cron.d file and systemd units for fixed policies,
/// against the files in `Expected/schedule`; secrets named, never printed;
/// cron lines that run exactly the command they show.
@Suite struct ScheduleRenderingTests {
    static let expectedDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Expected/schedule").path

    /// Compares with an expected file; on a difference, the actual text is left
    /// in the temporary directory for a look (and a copy, when it is right).
    func expect(_ actual: String, matches name: String) throws {
        let path = "\(Self.expectedDirectory)/\(name)"
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        guard actual != expected else { return }
        let dump = (NSTemporaryDirectory() as NSString).appendingPathComponent("lifeboat-schedule-actual-\(name)")
        try actual.write(toFile: dump, atomically: true, encoding: .utf8)
        Issue.record("the output differs from \(path); it is in \(dump)")
    }

    func crontab(_ plan: SchedulePlan, systemZone: String = "Etc/UTC") throws -> CrontabRenderer {
        CrontabRenderer(plan: plan, systemTimeZone: try #require(TimeZone(identifier: systemZone)), now: ScheduleFixture.now)
    }

    @Test func keyFilePolicy() throws {
        let plan = try ScheduleFixture.plan(ScheduleFixture.keyFile)
        try expect(try crontab(plan).render(), matches: "key-file.crontab")
        try expect(SystemdRenderer.render(plan), matches: "key-file.systemd")
        #expect(plan.environmentFile == nil)
        let everything = try crontab(plan).render() + SystemdRenderer.render(plan)
        #expect(!everything.contains("EnvironmentFile") && !everything.contains(".env"))
    }

    @Test func passphrasePolicy() throws {
        let plan = try ScheduleFixture.plan(ScheduleFixture.passphrase, reportDirectory: "/srv/lifeboat drills/shop",
                                            prometheusFile: "/var/lib/prometheus/node-exporter/lifeboat-shop.prom")
        try expect(try crontab(plan).render(), matches: "passphrase.crontab")
        try expect(SystemdRenderer.render(plan), matches: "passphrase.systemd")
    }

    @Test func secretsAreNamedNeverPrinted() throws {
        setenv(ScheduleFixture.passphraseVariable, ScheduleFixture.sentinel, 1)
        setenv("AWS_SECRET_ACCESS_KEY", ScheduleFixture.sentinel, 0)
        let plan = try ScheduleFixture.plan(ScheduleFixture.passphrase)
        #expect(plan.environmentFile == "/etc/lifeboat/shop.eu.env")
        #expect(plan.environmentVariables == [ScheduleFixture.passphraseVariable, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
        let cron = try crontab(plan).render()
        let units = SystemdRenderer.units(plan)
        for text in [cron, SystemdRenderer.render(plan)] + units.map(\.contents) {
            #expect(!text.contains(ScheduleFixture.sentinel))
        }
        #expect(cron.contains("# The jobs read secrets from /etc/lifeboat/shop.eu.env"))
        #expect(cron.contains("line for each of: \(ScheduleFixture.passphraseVariable), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.\n"))
        for line in cron.split(separator: "\n") where !line.hasPrefix("#") && line.contains(" pgsql ") {
            #expect(line.contains("set -a && . /etc/lifeboat/shop.eu.env && exec "))
        }
        for service in units where service.name.hasSuffix(".service") {
            #expect(service.contents.contains("\nEnvironmentFile=/etc/lifeboat/shop.eu.env\n"))
        }
    }

    @Test func aKeyFileMakesThePassphraseUnnecessary() throws {
        let both = ScheduleFixture.keyFile.replacingOccurrences(of: "key_file: /etc/lifeboat/lms.key",
                                                                with: "key_file: /etc/lifeboat/lms.key\n  passphrase_env: LIFEBOAT_PASSPHRASE")
        let plan = try ScheduleFixture.plan(both)
        #expect(plan.environmentVariables.isEmpty && plan.environmentFile == nil)
    }

    @Test func warnsWhenCronKeepsAnotherClock() throws {
        let berlin = try ScheduleFixture.plan(ScheduleFixture.passphrase)
        #expect(try crontab(berlin, systemZone: "Etc/UTC").timeZoneDiffers)
        #expect(try crontab(berlin, systemZone: "Etc/UTC").render().contains("# WARNING: cron runs these lines in the system time zone (Etc/UTC)"))
        #expect(!(try crontab(berlin, systemZone: "Europe/Berlin").timeZoneDiffers))
        #expect(!(try crontab(berlin, systemZone: "Europe/Berlin").render().contains("WARNING")))
        let utc = try ScheduleFixture.plan(ScheduleFixture.keyFile)
        for zone in ["Etc/UTC", "UTC", "GMT", "Etc/Universal"] {
            #expect(!(try crontab(utc, systemZone: zone).timeZoneDiffers), "\(zone)")
        }
        #expect(try crontab(utc, systemZone: "Asia/Tokyo").timeZoneDiffers)
    }

    /// Each cron line, as cron hands it to /bin/sh: the executable gets exactly
    /// the arguments shown, however odd the paths; nothing is printed when the
    /// job succeeds; when it fails, its output and status come out.
    @Test(arguments: [0, 3])
    func cronLinesRunAsWritten(status: Int) throws {
        let directory = try TemporaryDirectory(prefix: "lifeboat-schedule")
        defer { directory.remove() }
        let script = directory.appending("fake lifeboat's %s $HOME")
        try Data("#!/bin/sh\nprintf '<%s>\\n' \"$@\" \"$\(ScheduleFixture.passphraseVariable)\"\nexit \(status)\n".utf8)
            .write(to: URL(fileURLWithPath: script))
        chmod(script, 0o755)
        let environmentFile = directory.appending("shop.env")
        try Data("\(ScheduleFixture.passphraseVariable)='from the file'\n".utf8).write(to: URL(fileURLWithPath: environmentFile))
        let plan = try ScheduleFixture.plan(ScheduleFixture.passphrase, reportDirectory: "/srv/it's a \"dir\" 100%", executable: script)
        let cron = try crontab(plan).render()
        let lines = cron.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(lines.count == 4)
        for line in lines {
            // Cron's part: five time fields and the user, then `\%` becomes `%`.
            let command = line.split(separator: " ", maxSplits: 6)[6]
                .replacingOccurrences(of: "\\%", with: "%")
                .replacingOccurrences(of: "/etc/lifeboat/shop.eu.env", with: environmentFile)
            let result = try ScheduleFixture.run("/bin/sh", ["-c", String(command)])
            #expect(result.status == Int32(status))
            guard status != 0 else {
                #expect(result.output.isEmpty)
                continue
            }
            let printed = result.output.split(separator: "\n").map { String($0.dropFirst().dropLast()) }
            let job = try #require(plan.jobs.first { printed.dropLast().elementsEqual($0.arguments) }, "\(printed)")
            #expect(line.hasPrefix(job.cron.crontabFields.joined(separator: " ") + " pgsql "))
            #expect(printed.last == "from the file")
        }
    }

    @Test func refusesWhatCannotBeScheduled() throws {
        #expect(throws: ScheduleError.unusablePath(role: "drill report directory", path: "drills")) {
            try ScheduleFixture.plan(ScheduleFixture.keyFile, reportDirectory: "drills")
        }
        #expect(throws: ScheduleError.unusablePath(role: "lifeboat executable", path: "/usr/bin/life\nboat")) {
            try ScheduleFixture.plan(ScheduleFixture.keyFile, executable: "/usr/bin/life\nboat")
        }
        let badUser = ScheduleFixture.keyFile.replacingOccurrences(of: "  databases: [lms]", with: "  databases: [lms]\n  os_user: \"pg user\"")
        #expect(throws: PolicyError.self) { try ScheduleFixture.plan(badUser) }
        let badVariable = ScheduleFixture.passphrase.replacingOccurrences(of: "passphrase_env: \(ScheduleFixture.passphraseVariable)",
                                                                          with: "passphrase_env: \"MY-PASS\"")
        #expect(throws: PolicyError.self) { try ScheduleFixture.plan(badVariable) }
    }

    /// Every unit passes `systemd-analyze verify`: settings, calendar events and command lines.
    @Test(.enabled(if: ScheduleFixture.systemdAnalyze != nil), arguments: [ScheduleFixture.keyFile, ScheduleFixture.passphrase])
    func systemdAcceptsTheUnits(policy: String) throws {
        let analyze = try #require(ScheduleFixture.systemdAnalyze)
        let directory = try TemporaryDirectory(prefix: "lifeboat-schedule")
        defer { directory.remove() }
        let plan = try ScheduleFixture.plan(policy, reportDirectory: "/srv/a dir/100%", executable: "/bin/sh")
        let units = SystemdRenderer.units(plan)
        for unit in units {
            try Data(unit.contents.utf8).write(to: URL(fileURLWithPath: directory.appending(unit.name)))
        }
        let result = try ScheduleFixture.run(analyze, ["verify"] + units.map { directory.appending($0.name) })
        #expect(result.status == 0 && result.output.isEmpty, "\(result.output)")
    }
}
