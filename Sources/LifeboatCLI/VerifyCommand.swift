import ArgumentParser
import LifeboatEngine

/// `lifeboat verify`.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Read, authenticate, decompress and checksum backups against their manifests.",
        discussion: "Verifies the newest backup unless --backup or --all is given. Exits 5 if any object is missing, altered or does not match."
    )

    @OptionGroup var policyOption: PolicyOption

    @Option(name: .long, help: "The backup to verify (an id, or latest).")
    var backup: String?

    @Flag(name: .long, help: "Verify every backup.")
    var all = false

    @Flag(name: .long, help: "Print one JSON document: {\"ok\", \"backups\": [{\"id\", \"ok\", \"objects\": [{\"name\", \"ok\", \"detail\"}]}], \"wal\": {\"name\", \"ok\", \"detail\"}}.")
    var json = false

    func validate() throws {
        if all, backup != nil { throw ValidationError("Give --backup or --all, not both.") }
    }

    func run() async throws {
        try await runCommand(recording: "verify") { run in
            let policy = try policyOption.load()
            let repository = try RepositoryAccess.unlock(policy)
            run.attach(repository, cluster: policy.name)
            let catalog = BackupCatalog(repository: repository, cluster: policy.name)
            // With --all, a damaged manifest is one failed backup among the others; a named one fails outright (exit 5).
            let contents = all ? try catalog.contents() : nil
            let manifests = try contents?.backups ?? [try catalog.resolve(backup ?? "latest")]
            if all {
                run.target = "all backups"
            } else if let only = manifests.first {
                run.backup(only)
            }
            var report = BackupVerifier(repository: repository, cluster: policy.name, progress: ProgressDisplay.make(json: json)).verify(manifests)
            for damaged in contents?.damaged ?? [] {
                report.backups.append(.init(id: damaged.id, ok: false, objects: [.init(name: "manifest.json", ok: false, detail: damaged.reason)]))
                report.ok = false
            }
            let bad = report.backups.flatMap(\.objects).filter { !$0.ok }.count + (report.wal?.ok == false ? 1 : 0)
            run.details = "\(report.backups.count) backup(s), \(report.backups.flatMap(\.objects).count) object(s) checked"
            if bad > 0 { run.failure = "\(bad) object(s) failed verification" }
            if json {
                try Console.json(report)
            } else {
                for backup in report.backups {
                    for object in backup.objects {
                        Console.line("\(object.ok ? "ok  " : "BAD ") \(backup.id)/\(object.name): \(object.detail)")
                    }
                }
                if let wal = report.wal { Console.line("\(wal.ok ? "ok  " : "BAD ") \(wal.name): \(wal.detail)") }
                Console.line(bad == 0 ? "\(report.backups.count) backup(s) verified" : "\(bad) object(s) failed verification")
            }
            return report.ok ? .success : .integrity
        }
    }
}
