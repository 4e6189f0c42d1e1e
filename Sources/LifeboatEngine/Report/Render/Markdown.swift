/// Small builders for the Markdown reports (GitHub-flavoured, pasted into
/// tickets). Text is backslash-escaped so that nothing in it — a `<script>`
/// in an error, a `|` in a check's detail — becomes markup, a link or a table
/// cell boundary; the output never contains a `<`.
enum Markdown {
    /// `text` with Markdown's punctuation escaped and line breaks as spaces:
    /// for a table cell or a line of prose.
    static func text(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "<", ">", "|", "&", "#", "~": escaped += "\\\(character)"
            case "\n", "\r\n", "\r", "\t": escaped += " "
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Multi-line text (an error) as a block quote, line breaks kept.
    static func quote(_ text: String) -> String {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .map { line in
                let escaped = Self.text(String(line))
                // A quoted line must not start a list, a heading or a rule.
                let listLike = escaped.first.map { "-+=".contains($0) } ?? false
                return "> " + (listLike ? "\\" : "") + escaped
            }
            .joined(separator: "\n")
    }

    /// An identifier (drill, backup, check, segment) as a code span, for a
    /// table cell: `|` stays escaped, as GitHub's table syntax needs even in code.
    static func code(_ text: String) -> String {
        let flat = text.map { $0.isNewline ? " " : String($0) }.joined().replacingOccurrences(of: "|", with: "\\|")
        let longestRun = flat.split(whereSeparator: { $0 != "`" }).map(\.count).max() ?? 0
        let fence = String(repeating: "`", count: longestRun + 1)
        let padded = flat.hasPrefix("`") || flat.hasSuffix("`") ? " \(flat) " : flat
        return fence + padded + fence
    }

    /// `[runbooks/x.md](runbooks/x.md)`.
    static func runbook(_ name: String) -> String {
        "[\(text(RunbookLink.path(name)))](\(RunbookLink.target(name)))"
    }

    /// A table; `cells` are Markdown already (see `text` and `code`). The
    /// columns in `numeric` are right-aligned.
    static func table(_ headers: [String], _ rows: [[String]], numeric: Set<Int> = []) -> String {
        let head = "| " + headers.map(text).joined(separator: " | ") + " |"
        let rule = "|" + headers.indices.map { numeric.contains($0) ? " ---: " : " --- " }.joined(separator: "|") + "|"
        let body = rows.map { "| " + $0.joined(separator: " | ") + " |" }
        return ([head, rule] + body).joined(separator: "\n")
    }

    /// Labelled values (Markdown) as a two-column table with an empty header row.
    static func facts(_ pairs: [(label: String, markdown: String)]) -> String {
        table(["", ""], pairs.map { ["**\(text($0.label))**", $0.markdown] })
    }

    /// A bar of `fraction` (0…1) of `width` characters in eighths: `██████▍`.
    static func bar(_ fraction: Double, width: Int = 20) -> String {
        guard fraction.isFinite else { return "" }
        let eighths = Int((min(max(fraction, 0), 1) * Double(width * 8)).rounded())
        let partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8]
        return String(repeating: "█", count: eighths / 8) + partial
    }
}
