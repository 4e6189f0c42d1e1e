import ArgumentParser
import Foundation
import LifeboatEngine
import Pipeline
import Repository
import S3
import Seal

/// lifeboat's documented exit codes (see README and `lifeboat --help`).
enum LifeboatExit: Int32 {
    case success = 0
    /// The operation failed: a runtime error or a failed external program.
    case failure = 1
    /// Bad policy or configuration; the message names file, line and field.
    case badPolicy = 2
    /// Objectives missed: a drill over target, or `check` found a problem.
    case objectivesMissed = 3
    /// The repository or cluster is locked by another run.
    case locked = 4
    /// Integrity failure: authentication or checksum failed, an object is missing.
    case integrity = 5
    /// Cannot unlock the repository: wrong passphrase or key file.
    case cannotUnlock = 6

    /// The one place errors become exit codes.
    static func code(for error: Error) -> LifeboatExit {
        switch error {
        case is PolicyError, is S3ConfigurationError, is ScheduleError:
            return .badPolicy
        case let error as RepositoryLock.Error:
            if case .damaged = error { return .integrity }
            return .locked
        case let error as DrillError:
            switch error {
            case .workspacePathTooLong, .workspaceNotDirectory: return .badPolicy
            default: return .failure
            }
        case let error as PhysicalRestoreError:
            switch error {
            case .missingWAL, .partMismatch: return .integrity
            default: return .failure
            }
        case is BackupCatalog.DamagedManifest, is UnsafeLayoutError:
            return .integrity
        case is BlockUnpackingError:
            return .integrity
        case let error as WALArchiveError:
            switch error {
            case .otherCluster, .segmentSizeChanged: return .badPolicy
            case .conflictingContent: return .integrity
            default: return .failure
            }
        case is SealedObjectError, SealError.authenticationFailed, StorageError.notFound,
             LogicalRestore.RestoreError.checksumMismatch:
            return .integrity
        case let error as SecretError:
            if case .keyFileUnsafe = error { return .badPolicy }
            return .cannotUnlock
        case let error as KeyringError:
            switch error {
            case .noSlotOpens, .noSlotOfKind: return .cannotUnlock
            case .malformedSlot, .malformedKeyring, .damagedHeader: return .integrity
            case .notARepository: return .badPolicy
            default: return .failure
            }
        default:
            return .failure
        }
    }
}

/// Runs a command body: errors are printed once, as `lifeboat: error: …`, and
/// turned into the documented exit code; a non-zero status from the body exits
/// with that code.
func runCommand(_ body: () async throws -> LifeboatExit) async throws {
    let status: LifeboatExit
    do {
        status = try await body()
    } catch let error as ValidationError {
        throw error
    } catch let error as ExitCode {
        throw error
    } catch {
        Console.error(error.localizedDescription)
        throw ExitCode(LifeboatExit.code(for: error).rawValue)
    }
    if status != .success { throw ExitCode(status.rawValue) }
}
