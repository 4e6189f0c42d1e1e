import Foundation

/// One stored object as a listing shows it.
public struct ObjectInfo: Sendable, Equatable {
    /// `/`-separated name inside the repository, e.g. `lms/backups/20261122T020000Z/manifest`.
    public var key: String
    public var size: Int64
    public var modified: Date

    public init(key: String, size: Int64, modified: Date) {
        self.key = key
        self.size = size
        self.modified = modified
    }
}

/// Whether a put may replace an existing object.
public enum PutMode: Sendable {
    /// Publish atomically over whatever is there.
    case replace
    /// Publish only if nothing is there yet; otherwise `StorageError.alreadyExists`
    /// and nothing changes.
    case createOnly
}

/// Receives an object's bytes during `Storage.put`.
public protocol ObjectSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// Yields an object's bytes in order; 0 means the end.
public protocol ObjectSource: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Where a repository's objects live: a local directory or an object store.
/// Every backend passes the same suite of tests (`StorageSuite`).
///
/// The one rule that makes crashes safe: an object becomes visible only once it
/// is completely and durably written. A put that throws, or a process killed
/// during a put, leaves no object under the key (at most a temporary leftover
/// that listings do not show).
public protocol Storage: Sendable {
    /// Where this is, for messages (`/var/backups/lifeboat`, `s3://bucket/prefix`).
    var location: String { get }

    /// Streams an object in: `body` writes its bytes to the sink; the object is
    /// published under `key` only after `body` returns.
    func put(_ key: String, mode: PutMode, _ body: (ObjectSink) throws -> Void) throws

    /// Streams an object out. `StorageError.notFound` if there is none.
    func open(_ key: String) throws -> ObjectSource

    /// Bytes `range` of an object (clamped to its end).
    func read(_ key: String, range: Range<Int64>) throws -> [UInt8]

    /// Objects whose key starts with `prefix`, in key order.
    func list(prefix: String) throws -> [ObjectInfo]

    /// The object's size and time, or nil if there is none.
    func stat(_ key: String) throws -> ObjectInfo?

    /// Removes an object; removing a missing one is not an error.
    func delete(_ key: String) throws

    /// Removes several objects (as `delete` does each); backends that can
    /// remove many in one request do so.
    func deleteAll(_ keys: [String]) throws

    /// Makes sure an existing object is durable (flushed to stable storage),
    /// for when another, possibly killed, process wrote it. Object stores that
    /// acknowledge a put only once it is durable need do nothing.
    func makeDurable(_ key: String) throws

    /// Removes what crashed writers left behind (temporary files, unfinished
    /// uploads) last touched before `cutoff`, or sooner where the backend can
    /// tell that their writer is gone (a local directory: nobody holds the
    /// temporary file's lock; empty directories go too); returns what it
    /// removed, for the report.
    func removeLeftovers(olderThan cutoff: Date) throws -> [String]
}

extension Storage {
    /// One `delete` after another.
    public func deleteAll(_ keys: [String]) throws {
        for key in keys { try delete(key) }
    }

    /// Stores a small object from memory.
    public func put(_ key: String, bytes: [UInt8], mode: PutMode = .replace) throws {
        try put(key, mode: mode) { sink in try bytes.withUnsafeBytes { try sink.write($0) } }
    }

    /// Reads a whole (small) object into memory.
    public func get(_ key: String, limit: Int = 64 << 20) throws -> [UInt8] {
        let source = try open(key)
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return out }
            guard out.count + n <= limit else { throw StorageError.tooLarge(key: key, limit: limit) }
            out += chunk[0..<n]
        }
    }
}

/// Errors from a storage backend.
public enum StorageError: Error, LocalizedError, Equatable {
    case notFound(key: String)
    case alreadyExists(key: String)
    /// A key lifeboat would never write: empty segments, `.` or `..`, a leading dot.
    case invalidKey(key: String)
    /// The operating system or the object store refused; `reason` is its message.
    case io(operation: String, path: String, reason: String)
    case tooLarge(key: String, limit: Int)

    public var errorDescription: String? {
        switch self {
        case let .notFound(key): return "object \(key) is missing from the repository"
        case let .alreadyExists(key): return "object \(key) already exists and is never overwritten"
        case let .invalidKey(key): return "'\(key)' is not a valid object name"
        case let .io(operation, path, reason): return "cannot \(operation) \(path): \(reason)"
        case let .tooLarge(key, limit): return "object \(key) is larger than the \(limit) bytes expected"
        }
    }
}

/// Object names: `/`-separated segments of letters, digits and `._-:+`, none
/// empty, none starting with a dot (dot names are the backends' own: temporary
/// files, lock files).
public enum ObjectKey {
    public static func validate(_ key: String) throws {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:+")
        guard !key.isEmpty, key.utf8.count <= 1024,
              segments.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && $0.allSatisfy(allowed.contains) }) else {
            throw StorageError.invalidKey(key: key)
        }
    }
}
