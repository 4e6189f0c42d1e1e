import ArgumentParser
import Foundation
import LifeboatEngine

/// `lifeboat schedule`: the policy's `schedule:` section as a file for
/// `/etc/cron.d` or as systemd services and timers.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Print the cron.d file or systemd timers that run the policy's scheduled jobs.",
        discussion: """
            One job per entry of the policy's schedule: section: backup --type logical, backup --type physical, \
            prune, drill --report-dir DIR, check and verify --all, each running lifeboat and the policy by their \
            absolute paths, as postgres.os_user. Secrets are never written: when the jobs need environment \
            variables (passphrase_env without a key_file, S3 credentials), they read them from \
            /etc/lifeboat/<cluster>.env, and the output names them. \
            crontab (the default) is a file for /etc/cron.d; its times are in the system time zone, as Debian's cron \
            has no CRON_TZ, and a warning says when the policy's time_zone keeps another clock. Each job is silent \
            unless it fails. systemd is a service and a timer per job, in the policy's time zone. --output-dir \
            writes the files (mode 0644) and prints how to enable them. A policy that schedules nothing prints so \
            and exits 0.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case crontab, systemd }

    @OptionGroup var policyOption: PolicyOption

    @Option(name: .long, help: "crontab (a file for /etc/cron.d) or systemd (services and timers).")
    var format: Format = .crontab

    @Option(name: .customLong("output-dir"), help: ArgumentHelp("Write the files into this directory instead of printing them.", valueName: "dir"))
    var outputDirectory: String?

    @Option(name: .long, help: ArgumentHelp("The lifeboat executable the jobs run (default: this one).", valueName: "path"))
    var executable: String?

    @Option(name: .customLong("report-dir"),
            help: ArgumentHelp("Where scheduled drills write their reports (default: /var/lib/lifeboat/<cluster>/drills).", valueName: "dir"))
    var reportDirectory: String?

    @Option(name: .long, help: ArgumentHelp("Have the check job write Prometheus metrics to this file.", valueName: "file"))
    var prometheus: String?

    func run() async throws {
        try await runCommand {
            let policy = try policyOption.load()
            let setup = ScheduleSetup(
                executable: try executable.map(Self.absolute) ?? Self.runningExecutable(),
                policyFile: Self.absolute(try policyOption.path()),
                reportDirectory: reportDirectory.map(Self.absolute),
                prometheusFile: prometheus.map(Self.absolute)
            )
            let plan = try SchedulePlan(policy: policy, setup: setup)
            guard !plan.jobs.isEmpty else {
                Console.line("# The policy \(plan.policyFile) schedules no job (its schedule: section is missing or empty): nothing to install.")
                return .success
            }
            switch format {
            case .crontab: try crontab(plan)
            case .systemd: try systemd(plan)
            }
            return .success
        }
    }

    private func crontab(_ plan: SchedulePlan) throws {
        let renderer = CrontabRenderer(plan: plan, systemTimeZone: Self.cronTimeZone(), now: Date())
        if renderer.timeZoneDiffers {
            Console.warning("cron runs the jobs in the system time zone (\(renderer.systemTimeZone.identifier)), "
                + "not in the policy's time_zone (\(plan.timeZone.identifier)); see the file's header")
        }
        guard let outputDirectory else {
            FileHandle.standardOutput.write(Data(renderer.render().utf8))
            return
        }
        let path = try write(renderer.render(), named: renderer.fileName, into: outputDirectory)
        Console.line("wrote \(path)")
        Console.line("cron reads it from /etc/cron.d/\(renderer.fileName) (owned by root, mode 0644)")
    }

    private func systemd(_ plan: SchedulePlan) throws {
        guard let outputDirectory else {
            FileHandle.standardOutput.write(Data(SystemdRenderer.render(plan).utf8))
            return
        }
        for unit in SystemdRenderer.units(plan) {
            Console.line("wrote \(try write(unit.contents, named: unit.name, into: outputDirectory))")
        }
        Console.line("with the files in /etc/systemd/system, enable the timers: \(SystemdRenderer.installCommand(plan))")
    }

    /// Writes one file atomically, mode 0644 (it holds no secret); returns its path.
    private func write(_ text: String, named name: String, into directory: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        try ReportFile.write(Data(text.utf8), to: path, mode: 0o644)
        return path
    }

    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// This lifeboat's own path.
    private static func runningExecutable() throws -> String {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            throw ValidationError("Cannot read this lifeboat's path from /proc/self/exe: give --executable PATH.")
        }
        return path
    }

    /// The zone Debian's cron reads the lines in: `/etc/timezone`, else the
    /// zone `/etc/localtime` links to, else this process's.
    private static func cronTimeZone() -> TimeZone {
        let named = (try? String(contentsOfFile: "/etc/timezone", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/etc/localtime"))?.components(separatedBy: "zoneinfo/").last
        return named.flatMap(TimeZone.init(identifier:)) ?? .current
    }
}
