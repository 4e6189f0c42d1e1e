/// Reads the XML that S3 answers with into `S3XMLElement`s: a declaration,
/// elements with attributes (read over: S3 puts only `xmlns` there), text
/// with the five predefined entities and character references, CDATA
/// sections, comments and processing instructions. No DTDs. A tag left open,
/// a mismatched end tag, an unknown entity, text or a second element after
/// the root, or bytes that are not UTF-8 make the document not well-formed.
///
/// Written for S3 rather than using Foundation's `XMLParser`, whose library
/// brings libxml2 and ICU into every lifeboat process (about 1 MiB of each
/// one's resident memory) for the few responses S3 sends.
struct S3XMLReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The root element, or nil when the document is not well-formed.
    mutating func document() -> S3XMLElement? {
        guard skipMisc(), let root = element(), skipMisc(), index == bytes.count else { return nil }
        return root
    }

    /// Skips white space, comments and processing instructions (the XML
    /// declaration among them); false when one of them does not end.
    private mutating func skipMisc() -> Bool {
        while true {
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            if starts(with: "<?") {
                guard skip(past: "?>") else { return false }
            } else if starts(with: "<!--") {
                guard skip(past: "-->") else { return false }
            } else {
                return true
            }
        }
    }

    /// The element starting at `index`, through its end tag.
    private mutating func element() -> S3XMLElement? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { return nil }
        index += 1
        guard let name = name() else { return nil }
        while true {
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
            if starts(with: "/>") {
                index += 2
                return S3XMLElement(name: name, text: "", children: [])
            }
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                break
            }
            guard skipAttribute() else { return nil }
        }
        var text: [UInt8] = []
        var children: [S3XMLElement] = []
        while index < bytes.count {
            if starts(with: "</") {
                index += 2
                guard self.name() == name else { return nil }
                while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">"), let decoded = String(validating: text, as: UTF8.self) else { return nil }
                index += 1
                return S3XMLElement(name: name, text: decoded, children: children)
            } else if starts(with: "<!--") {
                guard skip(past: "-->") else { return nil }
            } else if starts(with: "<![CDATA[") {
                index += 9
                let start = index
                guard skip(past: "]]>") else { return nil }
                text += bytes[start..<index - 3]
            } else if starts(with: "<?") {
                guard skip(past: "?>") else { return nil }
            } else if bytes[index] == UInt8(ascii: "<") {
                guard let child = element() else { return nil }
                children.append(child)
            } else if bytes[index] == UInt8(ascii: "&") {
                guard let scalar = reference() else { return nil }
                text += Array(String(Character(scalar)).utf8)
            } else {
                text.append(bytes[index])
                index += 1
            }
        }
        return nil
    }

    /// A tag's name: the bytes up to white space, `/`, `>` or `=`.
    private mutating func name() -> String? {
        let start = index
        while index < bytes.count, !Self.isSpace(bytes[index]),
              ![UInt8(ascii: "/"), UInt8(ascii: ">"), UInt8(ascii: "="), UInt8(ascii: "<")].contains(bytes[index]) {
            index += 1
        }
        guard index > start else { return nil }
        return String(validating: bytes[start..<index], as: UTF8.self)
    }

    /// `name="value"` or `name='value'`.
    private mutating func skipAttribute() -> Bool {
        guard name() != nil else { return false }
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { return false }
        index += 1
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else { return false }
        let quote = bytes[index]
        index += 1
        while index < bytes.count, bytes[index] != quote {
            guard bytes[index] != UInt8(ascii: "<") else { return false }
            index += 1
        }
        guard index < bytes.count else { return false }
        index += 1
        return true
    }

    /// `&amp;` and the other predefined entities, `&#NNN;` and `&#xHH;`.
    private mutating func reference() -> Unicode.Scalar? {
        guard let end = bytes[index...].firstIndex(of: UInt8(ascii: ";")), end - index <= 12 else { return nil }
        let body = String(decoding: bytes[index + 1..<end], as: UTF8.self)
        index = end + 1
        switch body {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            let value: UInt32?
            if body.hasPrefix("#x") {
                value = UInt32(body.dropFirst(2), radix: 16)
            } else if body.hasPrefix("#") {
                value = UInt32(body.dropFirst(), radix: 10)
            } else {
                value = nil
            }
            return value.flatMap(Unicode.Scalar.init)
        }
    }

    private func starts(with text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        return text.withUTF8Buffer { bytes[index..<index + count].elementsEqual($0) }
    }

    /// Moves just past the next `text`; false (at the end) when there is none.
    private mutating func skip(past text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        while index < bytes.count {
            if starts(with: text) {
                index += count
                return true
            }
            index += 1
        }
        return false
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
