import Foundation

/// JSON text written by hand, for documents streamed out piece by piece
/// (`files.json`, PostgreSQL's `backup_manifest`) rather than encoded whole.
enum JSONText {
    /// `text` as a JSON string, quotes included: `"`, `\` and control
    /// characters escaped, everything else as it is (UTF-8).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
