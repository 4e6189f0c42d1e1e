import Foundation

/// A policy file that cannot be used, located as precisely as possible: the
/// file, the line, and the dotted field path (`retention.keep_last`).
/// Always exit code 2 at the command line.
public struct PolicyError: Error, LocalizedError, Equatable {
    public var file: String
    /// 1-based line, or nil when the problem is the file as a whole.
    public var line: Int?
    /// Dotted path of the field, or nil for a problem with the whole document.
    public var field: String?
    public var message: String

    public init(file: String, line: Int?, field: String?, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var errorDescription: String? {
        let location = line.map { "\(file):\($0)" } ?? file
        let subject = field.map { "\($0): " } ?? ""
        return "\(location): \(subject)\(message)"
    }
}
