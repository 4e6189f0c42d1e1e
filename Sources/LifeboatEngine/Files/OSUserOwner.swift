import Archive
import Foundation

extension FileOwner {
    /// Who files written for `osUser` (the server's OS user) must belong to:
    /// that user when running as root, nil (ourselves) otherwise.
    static func forOSUser(_ osUser: String) throws -> FileOwner? {
        guard geteuid() == 0 else { return nil }
        guard let entry = getpwnam(osUser) else { throw PhysicalRestoreError.unknownOSUser(osUser) }
        return FileOwner(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }
}
