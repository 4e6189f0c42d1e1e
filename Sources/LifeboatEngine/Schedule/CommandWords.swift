import Foundation

/// Command lines written into a crontab (run by `/bin/sh`) or a systemd
/// `ExecStart=`, each argument quoted so that it arrives as one word, unchanged.
enum CommandWords {
    /// Whether the word needs no quoting in either syntax: ASCII letters,
    /// digits and `_-./:,+=@` only.
    private static func isPlain(_ word: String) -> Bool {
        !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "_-./:,+=@".unicodeScalars.contains(scalar))
        }
    }

    /// A POSIX shell command line. The caller escapes `%` for cron.
    static func shell(_ words: [String]) -> String {
        words.map { word in
            isPlain(word) ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        }.joined(separator: " ")
    }

    /// A systemd command line: double quotes with backslash escapes, and `%`
    /// and `$` doubled so that neither specifiers nor variables are expanded.
    static func systemd(_ words: [String]) -> String {
        words.map { word -> String in
            let quoted = isPlain(word) ? word
                : "\"" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            return quoted.replacingOccurrences(of: "%", with: "%%").replacingOccurrences(of: "$", with: "$$")
        }.joined(separator: " ")
    }
}
