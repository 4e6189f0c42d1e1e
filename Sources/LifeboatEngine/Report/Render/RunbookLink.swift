import Foundation

/// Where a runbook named in a drill or a finding lives, relative to the
/// report: `runbooks/<file name>`, percent-encoded so that a name with spaces
/// or parentheses still makes one link (and a name can never become a URL
/// scheme of its own).
enum RunbookLink {
    /// `runbooks/restore-latest-backup.md`: for showing.
    static func path(_ name: String) -> String { "runbooks/\(name)" }

    /// The percent-encoded path, for an `href` or a Markdown link destination.
    static func target(_ name: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~/")
        return "runbooks/" + (name.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")
    }
}
