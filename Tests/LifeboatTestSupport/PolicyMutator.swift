import Foundation

/// Deterministic hostile variants of the example policies, for fuzzing the
/// policy loader: lines deleted, repeated and swapped, values of the wrong type,
/// huge numbers, unicode, tabs, anchor/alias bombs, deep nesting, truncation and
/// binary bytes. The same seed always gives the same documents.
public struct PolicyMutator {
    /// SplitMix64: small, fast, and the same on every platform.
    public struct Generator: RandomNumberGenerator {
        var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// One mutated document and the mutations that made it, for the failure message.
    public struct Case: Sendable {
        public let bytes: [UInt8]
        public let steps: [String]
        public var text: String? { String(validating: bytes, as: UTF8.self) }
    }

    let seeds: [String]
    var random: Generator

    public init(seeds: [String], seed: UInt64) {
        self.seeds = seeds
        random = Generator(seed: seed)
    }

    /// The example policies of the repository (`policies/*.yaml`), in name order.
    public static func examplePolicies() throws -> [String] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("policies")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        return try names.map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
    }

    /// Values that are the wrong type, out of range, or hostile text.
    static let hostileValues: [String] = [
        "[a, b]", "{x: 1}", "-1", "0", "99999999999999999999999999", "9223372036854775807", "-9223372036854775808",
        "1e308", "0x7fffffff", ".inf", "~", "null", "\"\"", "''", "true", "no", "名前", "\u{202E}lmsa", "🚀🚀", "\"\\u0000\"",
        "\"\\x00abc\"", "!!binary aGVsbG8=", "!!int 12", "!!map {}", "&a 1", "*undefined", "|\n  block\n  text", ">-\n  folded",
        "\"unterminated", "'also", "[unclosed", "{unclosed: 1", "- in a list", "? complex key", "%TAG ! tag:x", "@reserved", "`tick",
        "99999999999999999999999d", "1h99999999999999999999m", "-7d", "7 d", "0s", "* * * * * *", "61 25 32 13 8", "@reboot",
        "\"0 0 30 2 *\"", "s3://", "s3://bucket/../..", "relative/path", "/" + String(repeating: "a", count: 5000),
        String(repeating: "x", count: 70_000), "\t1", "1\t", "\"\\t\"",
    ]

    /// A few thousand documents, each derived from one example by one to three mutations.
    public mutating func cases(_ count: Int) -> [Case] {
        (0..<count).map { _ in next() }
    }

    public mutating func next() -> Case {
        let seedIndex = Int.random(in: 0..<seeds.count, using: &random)
        var lines = seeds[seedIndex].components(separatedBy: "\n")
        var steps = ["policy #\(seedIndex)"]
        var bytes: [UInt8]? = nil
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            guard !lines.isEmpty else { break }
            let i = Int.random(in: 0..<lines.count, using: &random)
            switch Int.random(in: 0..<16, using: &random) {
            case 0:
                lines.remove(at: i); steps.append("delete line \(i + 1)")
            case 1:
                lines.insert(lines[i], at: i); steps.append("repeat line \(i + 1)")
            case 2:
                let j = Int.random(in: 0..<lines.count, using: &random)
                lines.swapAt(i, j); steps.append("swap lines \(i + 1) and \(j + 1)")
            case 3, 4, 5:
                // Replace the value after the first `: ` (or the list item) with a hostile one.
                let value = Self.hostileValues.randomElement(using: &random) ?? "x"
                if let colon = lines[i].range(of: ": ") {
                    lines[i] = String(lines[i][..<colon.upperBound]) + value
                } else if let dash = lines[i].range(of: "- ") {
                    lines[i] = String(lines[i][..<dash.upperBound]) + value
                } else {
                    lines[i] += " " + value
                }
                steps.append("line \(i + 1) value \(value.prefix(40).debugDescription)")
            case 6:
                lines[i] = "\t" + lines[i]; steps.append("tab before line \(i + 1)")
            case 7:
                let indent = Int.random(in: -2...2, using: &random)
                lines[i] = indent >= 0 ? String(repeating: " ", count: indent) + lines[i] : String(lines[i].dropFirst(-indent))
                steps.append("indent line \(i + 1) by \(indent)")
            case 8:
                let text = lines.joined(separator: "\n")
                let cut = Int.random(in: 0...text.utf8.count, using: &random)
                bytes = Array(text.utf8.prefix(cut)); steps.append("truncate at byte \(cut)")
                lines = [String(decoding: text.utf8.prefix(cut), as: UTF8.self)]
            case 9:
                // Billion laughs: nine levels of nine aliases each.
                var bomb = ["a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
                for level in 1...9 {
                    let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ",")
                    bomb.append("a\(level): &a\(level) [\(refs)]")
                }
                if Bool.random(using: &random) {
                    lines.insert(contentsOf: bomb, at: 0); steps.append("alias bomb at the top")
                } else {
                    // The bomb as the value of a known list field.
                    lines.insert(contentsOf: bomb.map { "# \($0)" }, at: 0)
                    lines = lines.map { $0.hasPrefix("  databases:") ? "  databases: &d [" + (0..<9).map { _ in "x" }.joined(separator: ",") + "]" : $0 }
                    lines.append("drill:\n  checks: [*d, *d, *d]")
                    steps.append("aliases in a known field")
                }
            case 10:
                let depth = [50, 1_000, 20_000].randomElement(using: &random) ?? 50
                let open = Bool.random(using: &random) ? "[" : "{a: "
                let close = open == "[" ? "]" : "}"
                let value = String(repeating: open, count: depth) + String(repeating: close, count: depth)
                if let colon = lines[i].range(of: ": ") {
                    lines[i] = String(lines[i][..<colon.upperBound]) + value
                } else {
                    lines.insert("nested: " + value, at: i)
                }
                steps.append("nesting \(open) depth \(depth) at line \(i + 1)")
            case 11:
                let special = [":", "{", "}", "[", "]", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "#", ",", "?", "-", "\\", "\u{FEFF}", "\u{0085}", "\u{2028}", "\r", "\u{1}"]
                var characters = Array(lines[i])
                let at = characters.isEmpty ? 0 : Int.random(in: 0...characters.count, using: &random)
                let inserted = special.randomElement(using: &random) ?? ":"
                characters.insert(contentsOf: inserted, at: at)
                lines[i] = String(characters); steps.append("insert \(inserted.debugDescription) in line \(i + 1) at \(at)")
            case 12:
                // A key renamed: typo, unicode, empty, a number, very long.
                let newKey = ["nmae", "名前", "\"\"", "123", "retention ", String(repeating: "k", count: 300), "<<", "? x"].randomElement(using: &random) ?? "k"
                if let colon = lines[i].firstIndex(of: ":") {
                    let indent = lines[i].prefix { $0 == " " }
                    lines[i] = indent + newKey + lines[i][colon...]
                }
                steps.append("key of line \(i + 1) renamed \(newKey.prefix(20).debugDescription)")
            case 13:
                lines = lines.map { $0.replacingOccurrences(of: "  ", with: "\t") }; steps.append("tabs for indentation")
            case 14:
                lines.insert("<<: *nothing", at: i); steps.append("merge of an undefined alias at line \(i + 1)")
            default:
                // Binary bytes somewhere in the file (not necessarily valid UTF-8).
                var raw = Array(lines.joined(separator: "\n").utf8)
                let at = Int.random(in: 0...raw.count, using: &random)
                let junk = (0..<Int.random(in: 1...16, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                raw.insert(contentsOf: junk, at: at)
                bytes = raw; steps.append("\(junk.count) random bytes at \(at)")
                lines = [String(decoding: raw, as: UTF8.self)]
            }
            if bytes != nil, steps.last?.hasPrefix("truncate") == false, steps.last?.contains("random bytes") == false { bytes = nil }
        }
        return Case(bytes: bytes ?? Array(lines.joined(separator: "\n").utf8), steps: steps)
    }
}
