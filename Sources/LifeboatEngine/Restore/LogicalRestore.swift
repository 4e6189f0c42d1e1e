import Archive
import ExternalProgram
import Foundation
import Pipeline
import Postgres
import Repository

/// `lifeboat restore --database NAME`: a logical backup restored into a
/// database of the policy's cluster (or another server), streamed from the
/// repository into `pg_restore` — optionally only some tables, optionally
/// roles and tablespaces first.
///
/// Safety: an existing database that holds anything is refused unless
/// `clean` is set; every `pg_restore` runs in a single transaction and stops
/// at the first error, and a database this restore created is dropped again
/// when anything fails — including a chunk that fails authentication — so a
/// failed restore leaves nothing half-written.
public struct LogicalRestore {
    public struct Request: Sendable {
        public var backup: String = "latest"
        /// The database to restore into.
        public var database: String
        /// The database in the backup to restore; needed when it holds several.
        public var source: String?
        /// `schema.table` names; empty for the whole database.
        public var tables: [String] = []
        public var clean = false
        public var globals = false
        public var noOwner = false
        public var host: String?
        public var port: Int?
        /// Fetch the dump into this directory first and restore from the file
        /// (drills: it times the fetch apart, and `pg_restore --jobs` can then
        /// read a custom-format dump in parallel). Streamed when nil.
        public var spoolDirectory: String?

        public init(database: String) { self.database = database }
    }

    public struct Outcome: Sendable {
        public var backup: BackupManifest
        public var source: String
        public var database: String
        public var createdDatabase: Bool
        /// Errors `psql` reported while applying roles, other than "already exists".
        public var globalsWarnings: [String]
        /// Time spent fetching, authenticating and decompressing the dump before
        /// `pg_restore` started (zero when it was streamed into `pg_restore`).
        public var fetchSeconds: Double
    }

    public enum RestoreError: Error, LocalizedError, Equatable {
        case targetNotEmpty(database: String)
        case ambiguousSource(databases: [String])
        case sourceNotInBackup(database: String, backup: String, databases: [String])
        case badTableName(String)
        case notLogical(backup: String)
        case checksumMismatch(object: String)

        public var errorDescription: String? {
            switch self {
            case let .targetNotEmpty(database):
                return "database \(database) already exists and is not empty; restore into a new database, or pass --clean to replace its objects"
            case let .ambiguousSource(databases):
                return "the backup holds several databases (\(databases.joined(separator: ", "))); name the one to restore with --from"
            case let .sourceNotInBackup(database, backup, databases):
                return "backup \(backup) holds no database \(database) (it holds \(databases.joined(separator: ", ")))"
            case let .badTableName(name):
                return "'\(name)' is not a SCHEMA.TABLE name"
            case let .notLogical(backup):
                return "backup \(backup) is a physical backup; restore it with --data-dir"
            case let .checksumMismatch(object):
                return "\(object) does not match its manifest checksum; the restore was rolled back"
            }
        }
    }

    public let policy: Policy
    public let repository: SealedRepository
    public let progress: ProgressReporter

    public init(policy: Policy, repository: SealedRepository, progress: ProgressReporter) {
        self.policy = policy
        self.repository = repository
        self.progress = progress
    }

    public func run(_ request: Request) throws -> Outcome {
        let catalog = BackupCatalog(repository: repository, cluster: policy.name)
        let manifest = try catalog.resolve(request.backup, type: request.backup == "latest" ? .logical : nil)
        guard manifest.type == .logical else { throw RestoreError.notLogical(backup: manifest.id) }
        let source = try sourceDatabase(request, manifest)
        guard let dump = manifest.objects.first(where: { $0.kind == .database && $0.database == source }) else {
            throw RestoreError.sourceNotInBackup(database: source, backup: manifest.id, databases: manifest.databases)
        }
        let tables = try request.tables.map(Self.splitTableName)

        var settings = policy.postgres
        if let host = request.host { settings.host = host }
        if let port = request.port { settings.port = port }
        let admin = try PostgresConnection(settings.connection(database: "postgres"))
        let programs = PostgresPrograms(binDirectory: policy.postgres.binDirectory)
        let serverMajor = admin.serverMajorVersion
        let environment = settings.connection(database: nil).environment.filter { $0.key != "PGDATABASE" }

        var warnings: [String] = []
        if request.globals, let globals = manifest.objects.first(where: { $0.kind == .globals }) {
            warnings = try applyGlobals(globals, manifest: manifest, psql: try programs.checked("psql", serverMajor: serverMajor), environment: environment)
        }

        let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [request.database]).rows.count == 1
        if exists, !request.clean, try !isEmpty(settings, database: request.database) {
            throw RestoreError.targetNotEmpty(database: request.database)
        }
        if !exists {
            try admin.query("CREATE DATABASE \(Self.quoteIdentifier(request.database)) TEMPLATE template0")
        }
        do {
            let pgRestore = try programs.checked("pg_restore", serverMajor: serverMajor)
            let fetchStarted = Date()
            let input = try prepare(dump, of: manifest, spool: request.spoolDirectory)
            let fetchSeconds = input.localPath == nil ? 0 : Date().timeIntervalSince(fetchStarted)
            defer { input.cleanup() }
            var base = ["--dbname", request.database, "--no-password", "--exit-on-error"]
            // One transaction, so a failure leaves nothing — except with parallel
            // jobs, which pg_restore cannot combine with it.
            base += input.parallel ? ["--jobs=\(policy.postgres.jobs)"] : ["--single-transaction"]
            if request.clean, exists { base += ["--clean", "--if-exists"] }
            if request.noOwner { base += ["--no-owner"] }
            if !tables.isEmpty {
                try restoreTypesAndSchemas(input, pgRestore: pgRestore, database: request.database, environment: environment)
            }
            let runs: [[String]] = tables.isEmpty ? [[]] : tables.map { ["--schema", $0.schema, "--table", $0.table] }
            for filter in runs {
                let step = filter.isEmpty ? "restoring \(source) into \(request.database)" : "restoring \(filter[1]).\(filter[3])"
                try input.run(Program(pgRestore, base + filter, environment: environment), step: step)
            }
            return Outcome(backup: manifest, source: source, database: request.database, createdDatabase: !exists,
                           globalsWarnings: warnings, fetchSeconds: fetchSeconds)
        } catch {
            if !exists { _ = try? admin.query("DROP DATABASE IF EXISTS \(Self.quoteIdentifier(request.database)) WITH (FORCE)") }
            throw error
        }
    }

    func sourceDatabase(_ request: Request, _ manifest: BackupManifest) throws -> String {
        if let source = request.source { return source }
        if manifest.databases.count == 1 { return manifest.databases[0] }
        if manifest.databases.contains(request.database) { return request.database }
        throw RestoreError.ambiguousSource(databases: manifest.databases)
    }

    /// Where `pg_restore` reads a dump: streamed from the repository to its
    /// stdin (custom format), or a local copy — a directory extracted, or a
    /// spooled file — checked against the manifest before any restore starts.
    struct DumpInput {
        let restore: LogicalRestore
        let object: BackupManifest.StoredObject
        let key: String
        /// The local copy, when there is one.
        let localPath: String?
        let cleanup: () -> Void

        var parallel: Bool { localPath != nil && restore.policy.postgres.jobs > 1 }
        var dumpPath: String? { localPath }

        /// Runs pg_restore (or any program reading the dump) to completion.
        @discardableResult
        func run(_ program: Program, step: String) throws -> ProgramResult {
            restore.progress.begin(step, expectedBytes: object.plainBytes)
            defer { restore.progress.end() }
            return try execute(program, allowFailure: false)
        }

        /// Runs the program over the dump, accepting any exit status.
        func runAllowingFailure(_ program: Program) throws -> ProgramResult {
            try execute(program, allowFailure: true)
        }

        private func execute(_ program: Program, allowFailure: Bool) throws -> ProgramResult {
            if let dumpPath {
                var withPath = program
                withPath.arguments.append(dumpPath)
                return try ProgramRunner.run(withPath, allowFailure: allowFailure)
            }
            return try streamed(program, allowFailure: allowFailure)
        }

        /// Streams the object into the program; the program sees the end of
        /// its input only once the object's checksum matched the manifest.
        func streamed(_ program: Program, allowFailure: Bool) throws -> ProgramResult {
            let input = try ProgramInputStream(program)
            do {
                let summary = try StreamPacking.unpack(from: try restore.repository.openSealed(key), to: { try input.write($0) },
                                                       progress: restore.progress.advance(to:))
                guard object.matches(summary) else {
                    throw RestoreError.checksumMismatch(object: key)
                }
            } catch {
                input.abort()
                throw error
            }
            return try input.finish(allowFailure: allowFailure)
        }
    }

    func prepare(_ object: BackupManifest.StoredObject, of manifest: BackupManifest, spool: String?) throws -> DumpInput {
        let key = ClusterLayout(cluster: policy.name).object(manifest.id, object.name)
        guard object.format == "directory" else {
            guard let spool else { return DumpInput(restore: self, object: object, key: key, localPath: nil, cleanup: {}) }
            return try spoolFile(object, key: key, into: spool)
        }
        PrivateDirectory.sweep(prefix: "lifeboat-restore", in: spool)  // what killed restores left behind
        let work = try PrivateDirectory(prefix: "lifeboat-restore", in: spool)
        do {
            let target = work.path + "/dump"
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            progress.begin("fetching \(object.name)", expectedBytes: object.plainBytes)
            defer { progress.end() }
            let summary = try TreePacking.unpack(from: try repository.openSealed(key), into: target, progress: progress.advance(to:))
            guard object.matches(summary) else {
                throw RestoreError.checksumMismatch(object: key)
            }
            return DumpInput(restore: self, object: object, key: key, localPath: target, cleanup: work.remove)
        } catch {
            work.remove()
            throw error
        }
    }

    /// A custom-format dump fetched into `spool` (mode 0600), checked against the manifest.
    func spoolFile(_ object: BackupManifest.StoredObject, key: String, into spool: String) throws -> DumpInput {
        let path = spool + "/" + object.name
        let remove = { _ = unlink(path) }
        do {
            let file = try LocalFile.creating(path)
            progress.begin("fetching \(object.name)", expectedBytes: object.plainBytes)
            defer { progress.end() }
            let summary = try StreamPacking.unpack(from: try repository.openSealed(key), to: { try file.write($0) },
                                                   progress: progress.advance(to:))
            try file.close()
            guard object.matches(summary) else {
                throw RestoreError.checksumMismatch(object: key)
            }
            if let owner = try FileOwner.forOSUser(policy.postgres.osUser) { chown(path, owner.uid, owner.gid) }
            return DumpInput(restore: self, object: object, key: key, localPath: path, cleanup: remove)
        } catch {
            remove()
            throw error
        }
    }

    /// For a table restore: the schemas, types, domains, collations and
    /// extensions the table may depend on, from the dump's table of contents
    /// (`pg_restore --list`, then `--use-list`). Objects that already exist are fine.
    func restoreTypesAndSchemas(_ input: DumpInput, pgRestore: String, database: String, environment: [String: String]) throws {
        let listing = try input.runAllowingFailure(Program(pgRestore, ["--list"], environment: environment))
        guard listing.status == 0 else {
            throw ProgramError.failed(program: "pg_restore", status: listing.status, stderrTail: ProgramRunner.tail(of: listing.stderr))
        }
        let wanted: Set<Substring> = ["SCHEMA", "TYPE", "DOMAIN", "COLLATION", "EXTENSION"]
        let lines = String(decoding: listing.stdout, as: UTF8.self).split(separator: "\n").filter { line in
            let fields = line.split(separator: " ")
            return !line.hasPrefix(";") && fields.count > 5 && wanted.contains(fields[3]) && !(fields[3] == "SCHEMA" && fields[5] == "public")
        }
        guard !lines.isEmpty else { return }
        PrivateDirectory.sweep(prefix: "lifeboat-toc")
        let work = try PrivateDirectory(prefix: "lifeboat-toc")
        defer { work.remove() }
        let listFile = work.path + "/toc.list"
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: listFile))
        let result = try input.runAllowingFailure(Program(pgRestore, ["--dbname", database, "--no-password", "--use-list", listFile], environment: environment))
        let errors = result.stderr.split(separator: "\n").filter { $0.contains("ERROR:") && !$0.contains("already exists") }
        if result.status != 0, !errors.isEmpty {
            throw ProgramError.failed(program: "pg_restore", status: result.status, stderrTail: errors.joined(separator: "\n"))
        }
    }

    /// Roles and tablespaces through psql; "already exists" errors are expected
    /// (the `postgres` role, say) and skipped, others returned as warnings.
    func applyGlobals(_ object: BackupManifest.StoredObject, manifest: BackupManifest, psql: String, environment: [String: String]) throws -> [String] {
        let key = ClusterLayout(cluster: policy.name).object(manifest.id, object.name)
        progress.begin("applying roles and tablespaces", expectedBytes: object.plainBytes)
        defer { progress.end() }
        let input = try ProgramInputStream(Program(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=0", "--no-password", "-d", "postgres"], environment: environment))
        let summary: StreamPacking.Summary
        do {
            summary = try StreamPacking.unpack(from: try repository.openSealed(key), to: { try input.write($0) })
        } catch {
            input.abort()
            throw error
        }
        guard object.matches(summary) else {
            input.abort()
            throw RestoreError.checksumMismatch(object: key)
        }
        let result = try input.finish()
        return result.stderr.split(separator: "\n").map(String.init)
            .filter { $0.contains("ERROR:") && !$0.contains("already exists") }
    }

    func isEmpty(_ settings: PostgresSettings, database: String) throws -> Bool {
        let connection = try PostgresConnection(settings.connection(database: database))
        let count = try connection.query("""
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
            """).scalar()
        return count == "0"
    }

    static func splitTableName(_ name: String) throws -> (schema: String, table: String) {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw RestoreError.badTableName(name) }
        return (parts[0], parts[1])
    }

    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
