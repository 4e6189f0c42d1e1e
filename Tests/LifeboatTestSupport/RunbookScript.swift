import Foundation
import Testing

/// The decryption script of `runbooks/repository-format.md` ("Recover data
/// without lifeboat"), exactly as the runbook prints it.
public enum RunbookScript {
    /// Path of the runbook in this checkout.
    public static let runbook = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("runbooks/repository-format.md").path

    /// Writes the script to `dir/lifeboat-decrypt.py` and returns its path.
    public static func extract(into dir: TemporaryDirectory) throws -> String {
        let text = try String(contentsOfFile: runbook, encoding: .utf8)
        let start = try #require(text.range(of: "<!-- decrypt-script:start -->\n```python\n"))
        let end = try #require(text.range(of: "```\n<!-- decrypt-script:end -->"))
        let path = dir.appending("lifeboat-decrypt.py")
        try Data(text[start.upperBound..<end.lowerBound].utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
