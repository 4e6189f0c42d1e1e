import ArgumentParser
import ExternalProgram
import Foundation
import LifeboatEngine
import Postgres

/// `lifeboat wal-fetch`: PostgreSQL's `restore_command`.
struct WALFetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal-fetch",
        abstract: "Fetch one archived WAL file (restore_command = 'lifeboat wal-fetch --policy FILE %f %p').",
        discussion: """
            Exits 1 without a message when the archive has no such file, which is how recovery learns it reached \
            the end of the archive. Any other failure (unreadable repository, wrong key, damaged object, full disk) \
            exits 126 with a message: PostgreSQL takes any status up to 125 for "not archived" and would end \
            recovery early, but stops recovery on a status above 125.
            After a segment, a background prefetcher fetches the following segments in parallel into \
            .lifeboat-prefetch/ beside the destination, so replay does not wait for each fetch.
            --until SEGMENT answers "not archived" for every file past that segment (or on a later timeline): \
            drills use it to recover only what was archived when the simulated disaster happened.
            """
    )

    @OptionGroup var policyOption: PolicyOption

    @Argument(help: ArgumentHelp("The WAL file to fetch (PostgreSQL's %f).", valueName: "name"))
    var name: String

    @Argument(help: ArgumentHelp("Where to write it (PostgreSQL's %p).", valueName: "destination"))
    var destination: String

    @Flag(name: .long, help: "Do not start the background prefetcher.")
    var noPrefetch = false

    @Option(name: .long, help: ArgumentHelp("Treat WAL after this segment as not archived.", valueName: "segment"))
    var until: String?

    func validate() throws {
        if let until, WALFileName(until)?.kind != .segment { throw ValidationError("--until '\(until)' is not a WAL segment name.") }
    }

    var horizon: WALHorizon? { until.flatMap(WALFileName.init).map(WALHorizon.init(last:)) }

    /// The status for failures other than "not archived": above 125, so PostgreSQL stops recovery.
    static let failureStatus: Int32 = 126

    func run() async throws {
        let found: Bool
        do {
            found = try fetch()
        } catch let error as ValidationError {
            throw error
        } catch {
            Console.error(error.localizedDescription)
            throw ExitCode(Self.failureStatus)
        }
        // Not archived: normal at the end of recovery. No message, exit 1.
        if !found { throw ExitCode(LifeboatExit.failure.rawValue) }
    }

    /// Whether the file was archived (and is now at the destination).
    func fetch() throws -> Bool {
        let policy = try policyOption.load()
        guard let file = WALFileName(name) else { throw WALArchiveError.notAWALFile(path: name) }
        if let horizon, !horizon.admits(file) { return false }
        let archive = WALArchive(repository: try RepositoryAccess.unlock(policy), cluster: policy.name, compression: policy.compression)
        let prefetch = WALPrefetch(archive: archive, spool: WALPrefetch.spool(forDestination: destination), parallelism: policy.postgres.physicalJobs,
                                   horizon: horizon)
        let readAhead = file.kind == .segment && !noPrefetch
        if readAhead {
            try? prefetch.noteRequested(file)
            if prefetch.take(name, to: destination) {
                startPrefetcher(prefetch, policy: policy)
                return true
            }
        }
        guard try archive.fetch(name, to: destination) else { return false }
        if readAhead { startPrefetcher(prefetch, policy: policy) }
        return true
    }

    /// Starts `lifeboat wal-prefetch` detached, unless one is already running.
    func startPrefetcher(_ prefetch: WALPrefetch, policy: Policy) {
        guard !prefetch.isRunning, let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return }
        _ = try? DetachedProcess.start(Program(executable, ["wal-prefetch", "--policy", policy.file, prefetch.spool] + (until.map { ["--until", $0] } ?? [])))
    }
}

/// `lifeboat wal-prefetch`: the background half of `wal-fetch` (not for direct use).
struct WALPrefetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal-prefetch",
        abstract: "Read WAL ahead of recovery into a spool directory (started by wal-fetch).",
        shouldDisplay: false
    )

    @OptionGroup var policyOption: PolicyOption

    @Argument(help: ArgumentHelp("The spool directory.", valueName: "spool"))
    var spool: String

    @Option(name: .long, help: ArgumentHelp("Read nothing past this segment.", valueName: "segment"))
    var until: String?

    /// The status for failures other than "not archived": above 125, so PostgreSQL stops recovery.
    static let failureStatus: Int32 = 126

    func run() async throws {
        do {
            try await fetch()
        } catch let exit as ExitCode where exit.rawValue != 0 && exit.rawValue != LifeboatExit.failure.rawValue {
            throw ExitCode(Self.failureStatus)
        }
    }

    /// Exits 1 (quietly) only when the file is not archived; `run` turns every other failure into 126.
    func fetch() async throws {
        try await runCommand {
            let policy = try policyOption.load()
            let repository = try RepositoryAccess.unlock(policy)
            let archive = WALArchive(repository: repository, cluster: policy.name, compression: policy.compression)
            guard let identity = try ClusterIdentity.read(from: repository, layout: archive.layout) else { return .success }
            let horizon = until.flatMap(WALFileName.init).map(WALHorizon.init(last:))
            try WALPrefetch(archive: archive, spool: spool, parallelism: policy.postgres.physicalJobs, horizon: horizon).run(segmentSize: UInt64(identity.walSegmentSize))
            return .success
        }
    }
}
