import Foundation
import Yams

/// A YAML node with the location it came from, for reading a policy with
/// precise errors: every accessor throws `PolicyError` naming file, line and
/// the dotted field path.
struct PolicyNode {
    let node: Node
    let file: String
    /// Dotted path of this node (`retention.keep_last`, `drill.checks[0].sql`).
    let path: String

    var line: Int? { node.mark?.line }

    func error(_ message: String, line: Int? = nil) -> PolicyError {
        PolicyError(file: file, line: line ?? self.line, field: path.isEmpty ? nil : path, message: message)
    }

    private func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    // MARK: Scalars

    func string() throws -> String {
        guard case let .scalar(scalar) = node else { throw error("expected a text value, found \(kind)") }
        let isNull = scalar.style == .plain && ["~", "null", "Null", "NULL"].contains(scalar.string)
        guard !isNull, !scalar.string.isEmpty else { throw error("must not be empty") }
        return scalar.string
    }

    func int(in range: ClosedRange<Int>) throws -> Int {
        let text = try string()
        guard let value = Int(text) else { throw error("expected a whole number, found '\(text)'") }
        guard range.contains(value) else {
            if range.upperBound == Int.max { throw error("must be \(range.lowerBound) or more, found \(value)") }
            throw error("must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
        }
        return value
    }

    func bool() throws -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case let other: throw error("expected true or false, found '\(other)'")
        }
    }

    func duration() throws -> PolicyDuration {
        let text = try string()
        guard let value = PolicyDuration(parsing: text) else {
            throw error("'\(text)' is not a duration; write a positive number with a unit: 90s, 15m, 4h, 7d, 2w, 1h30m")
        }
        return value
    }

    func cron() throws -> CronExpression {
        let text = try string()
        do {
            return try CronExpression(parsing: text)
        } catch let parse as CronExpression.ParseError {
            throw error(parse.message)
        }
    }

    func absolutePath() throws -> String {
        let text = try string()
        guard text.hasPrefix("/") else { throw error("must be an absolute path, found '\(text)'") }
        return text
    }

    private var kind: String {
        switch node {
        case .scalar: return "a text value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    // MARK: Collections

    func sequence() throws -> [PolicyNode] {
        guard case let .sequence(sequence) = node else { throw error("expected a list, found \(kind)") }
        return sequence.enumerated().map { PolicyNode(node: $1, file: file, path: "\(path)[\($0)]") }
    }

    func stringList() throws -> [String] {
        try sequence().map { try $0.string() }
    }

    /// The node as a mapping whose keys must all be in `allowed`; an unknown key
    /// is an error at that key's line, with a suggestion for typos. (Repeated
    /// keys are refused earlier, by the YAML parser.)
    func mapping(allowed: [String]) throws -> PolicyMapping {
        guard case let .mapping(mapping) = node else { throw error("expected a mapping of fields, found \(kind)") }
        var values: [String: PolicyNode] = [:]
        for (keyNode, valueNode) in mapping {
            guard case let .scalar(keyScalar) = keyNode else {
                throw error("field names must be plain text", line: keyNode.mark?.line)
            }
            let key = keyScalar.string
            let keyPath = child(key)
            guard allowed.contains(key) else {
                let hint = Self.closest(to: key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                let known = " Known fields here: \(allowed.joined(separator: ", "))."
                throw PolicyError(file: file, line: keyNode.mark?.line, field: keyPath, message: "unknown field\(hint).\(known)")
            }
            values[key] = PolicyNode(node: valueNode, file: file, path: keyPath)
        }
        return PolicyMapping(owner: self, values: values)
    }

    /// The allowed name nearest to a typo, if it is near enough to be a typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word, $0)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, word.count / 3) else { return nil }
        return best
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions,
    /// and swaps of two neighbours (`keep_lats` is one edit from `keep_last`).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}

/// The fields of one mapping in a policy, each read at most once.
struct PolicyMapping {
    let owner: PolicyNode
    let values: [String: PolicyNode]

    subscript(key: String) -> PolicyNode? { values[key] }

    /// The field, or an error at the mapping's line naming the missing field.
    func required(_ key: String) throws -> PolicyNode {
        guard let value = values[key] else {
            let path = owner.path.isEmpty ? key : "\(owner.path).\(key)"
            throw PolicyError(file: owner.file, line: owner.line, field: path, message: "is required")
        }
        return value
    }
}
