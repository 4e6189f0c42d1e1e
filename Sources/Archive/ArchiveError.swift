import CLibArchive
import Foundation

/// Errors from packaging and unpacking archives.
public enum ArchiveError: Error, LocalizedError, Equatable {
    /// libarchive reported a failure; `message` is `archive_error_string`.
    case libarchive(operation: String, message: String)
    /// An entry that must not be extracted: an absolute path, a `..` component,
    /// a link pointing outside the destination, or a device or FIFO.
    case unsafeEntry(path: String, reason: String)
    /// The destination directory is missing or not a directory.
    case badDestination(path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case let .libarchive(operation, message):
            return "archive \(operation) failed: \(message)"
        case let .unsafeEntry(path, reason):
            return "refusing to extract '\(path)': \(reason)"
        case let .badDestination(path, reason):
            return "cannot extract into \(path): \(reason)"
        }
    }
}

/// The one place that turns a libarchive status into a Swift error.
///
/// `ARCHIVE_OK`, `ARCHIVE_EOF` and `ARCHIVE_WARN` pass; anything lower throws,
/// preferring an error raised by one of our own callbacks (a failing sink or
/// source) over libarchive's generic message about it.
@discardableResult
func checkArchive(_ status: Int32, _ archive: OpaquePointer, _ operation: @autoclosure () -> String, callbackError: Error? = nil) throws -> Int32 {
    guard status < ARCHIVE_WARN else { return status }
    if let callbackError { throw callbackError }
    let message = archive_error_string(archive).map { String(cString: $0) } ?? "no detail from libarchive"
    throw ArchiveError.libarchive(operation: operation(), message: message)
}
