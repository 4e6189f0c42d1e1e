/// Text made safe for HTML and inline SVG. Drill errors, check details and
/// backup failures are arbitrary strings, so every piece of text goes through
/// here before it joins markup.
enum Markup {
    /// `text` with `&`, `<`, `>`, `"` and `'` as character references, and
    /// control characters other than tab, line feed and carriage return (which
    /// XML forbids) replaced by U+FFFD, so that it can stand in element content
    /// or in a quoted attribute.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                escaped += "\u{FFFD}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
