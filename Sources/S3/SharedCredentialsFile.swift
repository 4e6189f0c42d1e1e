import Foundation

/// The AWS shared credentials file (`~/.aws/credentials`): INI sections named
/// after profiles, `key = value` lines, `#` and `;` comments.
struct SharedCredentialsFile {
    /// Profile name → its keys, lower-cased.
    let profiles: [String: [String: String]]

    init(text: String) {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name
                profiles[name, default: [:]] = profiles[name] ?? [:]
                continue
            }
            guard let profile = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            profiles[profile, default: [:]][key] = value
        }
        self.profiles = profiles
    }

    /// Reads `path`; nil if there is no such file.
    static func load(_ path: String) throws -> SharedCredentialsFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return SharedCredentialsFile(text: try String(contentsOfFile: path, encoding: .utf8))
        } catch {
            throw S3ConfigurationError.unreadableCredentialsFile(path, reason: error.localizedDescription)
        }
    }
}
