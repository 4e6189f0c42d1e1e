import Foundation

/// A sealed object that cannot be trusted. All of these are integrity failures
/// (exit code 5): the object was altered, truncated, moved, or sealed with a key
/// this repository does not have.
public enum SealedObjectError: Error, LocalizedError, Equatable {
    /// Does not start with a lifeboat header.
    case notSealed(object: String)
    /// A header version or algorithm this lifeboat does not know.
    case unsupportedFormat(object: String, version: UInt8, algorithm: UInt8)
    /// A chunk failed authentication.
    case authenticationFailed(object: String, chunk: UInt32)
    /// Ends before its last chunk, or has bytes after it.
    case truncated(object: String)
    /// Sealed with a key generation the keyring does not have (or no longer has).
    case unknownGeneration(object: String, generation: UInt32)

    public var errorDescription: String? {
        switch self {
        case let .notSealed(object):
            return "\(object) is not a lifeboat sealed object (bad header)"
        case let .unsupportedFormat(object, version, algorithm):
            return "\(object) uses sealed format version \(version), algorithm \(algorithm), which this lifeboat cannot read"
        case let .authenticationFailed(object, chunk):
            return "\(object) failed authentication at chunk \(chunk): it was altered, truncated, moved or sealed with another key"
        case let .truncated(object):
            return "\(object) is truncated or has trailing data"
        case let .unknownGeneration(object, generation):
            return "\(object) is sealed with key generation \(generation), which this repository's keyring does not hold (never existed, or retired)"
        }
    }
}
