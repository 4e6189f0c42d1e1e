import Foundation

/// Values that cannot go into a crontab or a systemd unit. Exit code 2.
public enum ScheduleError: Error, LocalizedError, Equatable {
    /// A path the jobs would use is not absolute, or holds a control character
    /// (a newline would end the crontab line or the unit setting).
    case unusablePath(role: String, path: String)

    public var errorDescription: String? {
        switch self {
        case let .unusablePath(role, path):
            return "the \(role) \(path.debugDescription) cannot be scheduled: give an absolute path without control characters"
        }
    }
}
