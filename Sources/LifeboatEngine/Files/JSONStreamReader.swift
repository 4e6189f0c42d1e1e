import Foundation

/// Reads a JSON document (RFC 8259) token by token from a byte source,
/// holding one 64 KiB buffer and the token at hand: for documents that grow
/// with the data directory (`files.json`), which a decoder would hold whole
/// several times over. Structure is checked as it goes (commas, colons,
/// nesting, string escapes, UTF-8); numbers are returned as their text.
final class JSONStreamReader {
    enum Token: Equatable {
        case objectStart, objectEnd, arrayStart, arrayEnd
        case key(String)
        case string(String)
        /// The number's text as written (`-12`, `3.5e2`).
        case number(String)
        case bool(Bool)
        case null
        /// The document ended (only whitespace followed it).
        case end
    }

    /// A document that is not JSON, with the byte offset where reading stopped.
    struct Malformed: Error, LocalizedError {
        let reason: String
        let offset: Int64
        var errorDescription: String? { "not valid JSON at byte \(offset): \(reason)" }
    }

    private enum Expect { case value, valueOrArrayEnd, keyOrObjectEnd, key, commaOrEnd, endOfDocument }

    static let maximumDepth = 64
    static let maximumStringBytes = 1 << 20

    private let source: (UnsafeMutableRawBufferPointer) throws -> Int
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var filled = 0
    private var used = 0
    private var consumed: Int64 = 0
    private var atEnd = false
    private var inObject: [Bool] = []
    private var expect = Expect.value

    init(source: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) {
        self.source = source
    }

    /// The next token; `.end` once the document is complete.
    func next() throws -> Token {
        while true {
            try skipSpace()
            let byte = try peek()
            switch expect {
            case .endOfDocument:
                guard byte == nil else { throw malformed("data after the end of the document") }
                return .end
            case .commaOrEnd:
                let object = inObject.last ?? false
                switch byte {
                case UInt8(ascii: ","):
                    advance()
                    expect = object ? .key : .value
                case UInt8(ascii: "}") where object:
                    advance()
                    return close(.objectEnd)
                case UInt8(ascii: "]") where !object:
                    advance()
                    return close(.arrayEnd)
                default:
                    throw malformed(byte == nil ? "the document ends inside \(object ? "an object" : "an array")" : "expected ',' or the end of \(object ? "the object" : "the array")")
                }
            case .keyOrObjectEnd, .key:
                if expect == .keyOrObjectEnd, byte == UInt8(ascii: "}") {
                    advance()
                    return close(.objectEnd)
                }
                guard byte == UInt8(ascii: "\"") else { throw malformed("expected a key") }
                advance()
                let key = try string()
                try skipSpace()
                guard try peek() == UInt8(ascii: ":") else { throw malformed("expected ':' after the key \"\(key)\"") }
                advance()
                expect = .value
                return .key(key)
            case .valueOrArrayEnd, .value:
                if expect == .valueOrArrayEnd, byte == UInt8(ascii: "]") {
                    advance()
                    return close(.arrayEnd)
                }
                return try value(byte)
            }
        }
    }

    /// Skips the value that starts with the next token (a whole object or array).
    func skipValue() throws {
        var depth = 0
        repeat {
            switch try next() {
            case .objectStart, .arrayStart: depth += 1
            case .objectEnd, .arrayEnd: depth -= 1
            case .key: continue
            case .end: throw malformed("the document ends inside a value")
            default: break
            }
        } while depth > 0
    }

    private func value(_ byte: UInt8?) throws -> Token {
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard inObject.count < Self.maximumDepth else { throw malformed("nested deeper than \(Self.maximumDepth)") }
            advance()
            let object = byte == UInt8(ascii: "{")
            inObject.append(object)
            expect = object ? .keyOrObjectEnd : .valueOrArrayEnd
            return object ? .objectStart : .arrayStart
        case UInt8(ascii: "\""):
            advance()
            let text = try string()
            afterValue()
            return .string(text)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            var word: [UInt8] = []
            while let next = try peek(), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(next), word.count < 5 {
                word.append(next)
                advance()
            }
            afterValue()
            switch String(decoding: word, as: UTF8.self) {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "null": return .null
            default: throw malformed("unknown word '\(String(decoding: word, as: UTF8.self))'")
            }
        case let first? where first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first):
            var text: [UInt8] = []
            while let next = try peek(), Self.numberBytes.contains(next), text.count < 64 {
                text.append(next)
                advance()
            }
            let number = String(decoding: text, as: UTF8.self)
            guard Self.isNumber(text) else { throw malformed("'\(number)' is not a number") }
            afterValue()
            return .number(number)
        case nil:
            throw malformed("the document ends where a value should be")
        default:
            throw malformed("expected a value")
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    static func isNumber(_ text: [UInt8]) -> Bool {
        var rest = text[...]
        func digits() -> Int {
            let count = rest.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
            rest = rest.dropFirst(count)
            return count
        }
        if rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
        let leadingZero = rest.first == UInt8(ascii: "0")
        let integer = digits()
        guard integer > 0, !leadingZero || integer == 1 else { return false }
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            guard digits() > 0 else { return false }
        }
        if rest.first == UInt8(ascii: "e") || rest.first == UInt8(ascii: "E") {
            rest = rest.dropFirst()
            if rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-") { rest = rest.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return rest.isEmpty
    }

    private static let numberBytes = Set("+-.0123456789eE".utf8)

    private func afterValue() { expect = inObject.isEmpty ? .endOfDocument : .commaOrEnd }

    private func close(_ token: Token) -> Token {
        inObject.removeLast()
        afterValue()
        return token
    }

    /// The rest of a string whose opening quote was read.
    private func string() throws -> String {
        var bytes: [UInt8] = []
        while true {
            guard let byte = try peek() else { throw malformed("the document ends inside a string") }
            advance()
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: bytes, as: UTF8.self) else { throw malformed("a string is not UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                try escape(into: &bytes)
            case 0..<0x20:
                throw malformed("a control character inside a string")
            default:
                bytes.append(byte)
            }
            guard bytes.count <= Self.maximumStringBytes else { throw malformed("a string longer than \(Self.maximumStringBytes) bytes") }
        }
    }

    private func escape(into bytes: inout [UInt8]) throws {
        guard let byte = try peek() else { throw malformed("the document ends inside a string") }
        advance()
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(byte)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard try peek() == UInt8(ascii: "\\") else { throw malformed("a lone surrogate in a string") }
                advance()
                guard try peek() == UInt8(ascii: "u") else { throw malformed("a lone surrogate in a string") }
                advance()
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw malformed("a lone surrogate in a string") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw malformed("a lone surrogate in a string") }
            bytes.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw malformed("an unknown escape in a string")
        }
    }

    private func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = try peek(), let digit = Character(Unicode.Scalar(byte)).hexDigitValue else { throw malformed("a bad \\u escape") }
            advance()
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private func skipSpace() throws {
        while let byte = try peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { advance() }
    }

    private func peek() throws -> UInt8? {
        if used == filled {
            guard !atEnd else { return nil }
            filled = try buffer.withUnsafeMutableBytes { try source($0) }
            used = 0
            if filled == 0 {
                atEnd = true
                return nil
            }
        }
        return buffer[used]
    }

    private func advance() {
        used += 1
        consumed += 1
    }

    private func malformed(_ reason: String) -> Malformed { Malformed(reason: reason, offset: consumed) }
}
