import Foundation

/// A directory under the system's temporary directory, removed with `remove()`.
/// When `owner` is given (tests running as root), it is handed to that OS user so
/// PostgreSQL's programs can write there.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "lifeboat-test", owner: String? = nil) throws {
        let template = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix).XXXXXX")
        var bytes = Array(template.utf8CString)
        guard let created = mkdtemp(&bytes) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: template])
        }
        path = String(cString: created)
        if let owner, geteuid() == 0 {
            try OSUser.chown(path, to: owner)
        }
    }

    /// `path/name`.
    public func appending(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// OS users, for tests that run as root and hand work to `postgres`.
public enum OSUser {
    /// The user PostgreSQL runs as when the tests run as root; nil otherwise.
    public static var serverUser: String? { geteuid() == 0 ? "postgres" : nil }

    public static func ids(of name: String) -> (uid: uid_t, gid: gid_t)? {
        guard let entry = getpwnam(name) else { return nil }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    public static func chown(_ path: String, to name: String) throws {
        guard let (uid, gid) = ids(of: name) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "no OS user \(name)"])
        }
        guard Foundation.chown(path, uid, gid) == 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
