/// A parsed XML element of an S3 response: its name, text and children.
/// S3's responses are small and flat, so a tree is the simplest reading.
struct S3XMLElement {
    let name: String
    var text: String
    var children: [S3XMLElement]

    /// The first child called `name`.
    func child(_ name: String) -> S3XMLElement? { children.first { $0.name == name } }

    /// Every child called `name`, in document order.
    func all(_ name: String) -> [S3XMLElement] { children.filter { $0.name == name } }

    /// The text of the first child called `name`.
    func value(_ name: String) -> String? { child(name)?.text }

    /// Parses a document; nil if it is not well-formed XML (see `S3XMLReader`).
    static func parse(_ bytes: [UInt8]) -> S3XMLElement? {
        var reader = S3XMLReader(bytes)
        return reader.document()
    }
}

/// Text escaped for an XML element's content.
func xmlEscaped(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.append(character)
        }
    }
    return out
}
