import Foundation

/// Finds executables on `PATH`.
public enum ExecutableLocator {
    /// The first executable named `name` in the directories of `PATH`, or nil.
    public static func onPath(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for dir in (path ?? "").split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
