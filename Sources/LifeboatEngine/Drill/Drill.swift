import ExternalProgram
import Foundation
import Postgres
import Repository

/// `lifeboat drill`: a restore rehearsed end to end and measured.
///
/// It declares a simulated disaster at its start, restores a backup into a
/// `ScratchCluster` — a physical backup recovered through the WAL archived at
/// that moment (or to a target time), a logical backup through `pg_restore`
/// into a fresh `initdb` — waits until the database accepts connections,
/// verifies it (`DrillVerifier`), and measures the RTO (with phases that add
/// up to it) and the RPO (`DataLossProbe`) against the policy's objectives.
/// The scratch cluster is always removed: by the drill, by the signal handler
/// the command line installs (`DrillTeardown`), or by the guard process when
/// the drill is killed outright.
public struct Drill {
    public struct Request: Sendable {
        /// A backup id, `latest`, or nil for the latest of `type`.
        public var backup: String?
        /// The kind of backup to drill when no id is named; nil prefers physical
        /// (the point-in-time path a disaster would take) when there is one.
        public var type: BackupManifest.BackupType?
        /// Recover a physical backup to this time instead of the end of the archive.
        public var targetTime: Date?

        public init(backup: String? = nil, type: BackupManifest.BackupType? = nil, targetTime: Date? = nil) {
            self.backup = backup
            self.type = type
            self.targetTime = targetTime
        }
    }

    public let policy: Policy
    public let progress: ProgressReporter
    /// The lifeboat executable (for `restore_command` and the guard).
    public let executable: String
    public let teardown: DrillTeardown
    public let clock: @Sendable () -> Date

    public init(policy: Policy, progress: ProgressReporter, executable: String, teardown: DrillTeardown,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.policy = policy
        self.progress = progress
        self.executable = executable
        self.teardown = teardown
        self.clock = clock
    }

    /// What a drill produced: its record, and the repository it was stored in
    /// (nil when the repository could not even be opened).
    public struct Result {
        public var record: DrillRecord
        public var repository: SealedRepository?
        /// The error that ended a failed drill.
        public var error: Error?
    }

    /// Runs the drill. Never throws: a drill that fails is a record with the
    /// outcome `failed` and the error, stored like any other.
    public func run(_ request: Request) -> Result {
        let declaredAt = clock()
        let id = BackupID.make(at: declaredAt)
        var state = DrillState(declaredAt: declaredAt, clock: clock)
        let disaster = DisasterPoint.declare(at: declaredAt, source: policy.postgres.connection())
        var repository: SealedRepository?
        do {
            let unlocked = try RepositoryAccess.unlock(policy)
            repository = unlocked
            let backup = try choose(request, in: unlocked)
            if request.targetTime != nil, backup.type != .physical { throw PhysicalRestoreError.notPhysical(backup: backup.id) }
            state.backup = backup
            state.target = request.targetTime.map { RFC3339.string($0) } ?? "end of archive"
            let cluster = try ScratchCluster(workspace: policy.drill.workspace, id: id, superuser: policy.postgres.user ?? "postgres",
                                             osUser: policy.postgres.osUser, programs: PostgresPrograms(binDirectory: policy.postgres.binDirectory))
            teardown.watch(cluster)
            let guardProcess = try? DrillGuard.start(executable: executable, cluster: cluster)
            defer {
                teardown.tearDownNow()
                guardProcess?.cut()
            }
            let sourceCounts = request.targetTime == nil ? startCounting(backup, disaster: disaster) : nil
            if backup.type == .physical {
                try runPhysical(backup, targetTime: request.targetTime, cluster: cluster, repository: unlocked, disaster: disaster,
                                sourceCounts: sourceCounts, state: &state)
            } else {
                try runLogical(backup, cluster: cluster, repository: unlocked, disaster: disaster, sourceCounts: sourceCounts, state: &state)
            }
        } catch {
            state.error = error
        }
        let record = state.record(id: id, policy: policy, finishedAt: clock())
        return Result(record: record, repository: repository, error: state.error)
    }

    /// The backup the request names, or the latest of the preferred type.
    func choose(_ request: Request, in repository: SealedRepository) throws -> BackupManifest {
        let catalog = BackupCatalog(repository: repository, cluster: policy.name)
        if let id = request.backup, id != "latest" { return try catalog.resolve(id) }
        let backups = try catalog.backups()
        let type = request.type ?? (request.targetTime != nil || backups.contains { $0.type == .physical } ? .physical : .logical)
        guard let latest = backups.last(where: { $0.type == type }) else {
            throw DrillError.noBackup(cluster: policy.name, type: type.rawValue)
        }
        return latest
    }

    /// How long recovery may take before the drill gives up: four times the RTO target, at least an hour.
    var recoveryTimeout: Int { max(3600, 4 * (policy.objectives?.rto?.seconds ?? 0)) }
}

/// Lets a signal handler remove the drill's scratch cluster while the drill is
/// still running; the drill removes it itself when it finishes.
public final class DrillTeardown: @unchecked Sendable {
    private let lock = NSLock()
    private var cluster: ScratchCluster?

    public init() {}

    func watch(_ cluster: ScratchCluster) { lock.withLock { self.cluster = cluster } }

    /// Stops and removes the scratch cluster now, if there is one (from a signal handler).
    public func tearDownNow() {
        let current = lock.withLock { () -> ScratchCluster? in
            defer { cluster = nil }
            return cluster
        }
        current?.tearDown()
    }
}

/// Starts the guard that removes a scratch cluster when the drill process disappears.
enum DrillGuard {
    static func start(executable: String, cluster: ScratchCluster) throws -> Lifeline {
        var arguments = ["drill-guard", "--directory", cluster.directory]
        if let pgCtl = try? cluster.programs.path(of: "pg_ctl") { arguments += ["--pg-ctl", pgCtl] }
        if let osUser = cluster.osUser { arguments += ["--os-user", osUser] }
        return try Lifeline(watcher: Program(executable, arguments))
    }
}
