import Foundation
import Repository

/// The one place the command line writes: results to stdout, diagnostics to
/// stderr, `--json` documents as a single JSON value on stdout.
enum Console {
    /// A line of normal output.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// A diagnostic on stderr, prefixed `lifeboat: error:`.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data("lifeboat: error: \(text)\n".utf8))
    }

    /// A warning on stderr, prefixed `lifeboat: warning:`.
    static func warning(_ text: String) {
        FileHandle.standardError.write(Data("lifeboat: warning: \(text)\n".utf8))
    }

    /// One JSON document on stdout: sorted keys, RFC 3339 UTC times.
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.wholeSeconds(date))
        }
        var data = try encoder.encode(value)
        data.append(0x0a)
        FileHandle.standardOutput.write(data)
    }
}
