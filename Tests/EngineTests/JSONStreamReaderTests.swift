import Foundation
@testable import LifeboatEngine
import Testing

/// The token reader behind `files.json`: it must read what Foundation writes,
/// whatever pieces the bytes arrive in, and refuse what is not JSON.
@Suite struct JSONStreamReaderTests {
    /// Reads `bytes` through a source that hands out `piece` bytes at a time.
    static func reader(_ bytes: [UInt8], piece: Int) -> JSONStreamReader {
        var rest = bytes[...]
        return JSONStreamReader { buffer in
            let n = min(piece, buffer.count, rest.count)
            buffer.copyBytes(from: rest.prefix(n))
            rest = rest.dropFirst(n)
            return n
        }
    }

    /// A value built back from the tokens, as JSONSerialization's objects.
    static func value(_ reader: JSONStreamReader, _ first: JSONStreamReader.Token) throws -> Any {
        switch first {
        case .objectStart:
            var object: [String: Any] = [:]
            while case let .key(key) = try reader.next() { object[key] = try value(reader, try reader.next()) }
            return object
        case .arrayStart:
            var array: [Any] = []
            while true {
                let token = try reader.next()
                if token == .arrayEnd { return array }
                array.append(try value(reader, token))
            }
        case let .string(text): return text
        case let .number(text): return Int(text).map { $0 as Any } ?? Double(text) as Any
        case let .bool(flag): return flag
        case .null: return NSNull()
        default: throw JSONStreamReader.Malformed(reason: "unexpected \(first)", offset: 0)
        }
    }

    static func randomValue(depth: Int, using generator: inout some RandomNumberGenerator) -> Any {
        let strings = ["", "plain", "quote \" backslash \\ slash /", "tab\tnewline\ncontrol\u{01}", "é ü 漢字", "emoji 😀", "base/16384/2619_fsm"]
        switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &generator) {
        case 0: return strings.randomElement(using: &generator) ?? ""
        case 1: return Int.random(in: -1_000_000_000_000...1_000_000_000_000, using: &generator)
        case 2: return Bool.random(using: &generator)
        case 3: return NSNull()
        case 4: return (0..<Int.random(in: 0...5, using: &generator)).map { _ in randomValue(depth: depth + 1, using: &generator) }
        default:
            var object: [String: Any] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                object[(strings.randomElement(using: &generator) ?? "") + String(Int.random(in: 0...9, using: &generator))] = randomValue(depth: depth + 1, using: &generator)
            }
            return object
        }
    }

    @Test(arguments: [1, 7, 65_536])
    func readsWhatFoundationWritesInAnyPieces(piece: Int) throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let document = Self.randomValue(depth: 0, using: &generator)
            let bytes = Array(try JSONSerialization.data(withJSONObject: document, options: [.fragmentsAllowed, .prettyPrinted]))
            let reader = Self.reader(bytes, piece: piece)
            let read = try Self.value(reader, try reader.next())
            #expect(try reader.next() == .end)
            let again = try JSONSerialization.data(withJSONObject: read, options: [.fragmentsAllowed, .sortedKeys])
            let expected = try JSONSerialization.data(withJSONObject: document, options: [.fragmentsAllowed, .sortedKeys])
            #expect(again == expected, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    @Test func escapesAndNumbersReadAsWritten() throws {
        let text = #"{"a": "\u00e9\ud83d\ude00\n\"\/", "n": [0, -12, 3.5e-2, 1E10], "t": true, "f": false, "z": null}"#
        let reader = Self.reader(Array(text.utf8), piece: 3)
        var tokens: [JSONStreamReader.Token] = []
        while true {
            let token = try reader.next()
            tokens.append(token)
            if token == .end { break }
        }
        #expect(tokens == [.objectStart, .key("a"), .string("é😀\n\"/"), .key("n"), .arrayStart, .number("0"), .number("-12"),
                           .number("3.5e-2"), .number("1E10"), .arrayEnd, .key("t"), .bool(true), .key("f"), .bool(false),
                           .key("z"), .null, .objectEnd, .end])
    }

    @Test(arguments: [
        #"{"a" 1}"#, #"{"a": 1,}"#, "[1 2]", #"{"a": 1}}"#, "[01]", "[1.]", "[-]", "[1e]", #"["\ud800"]"#, #"["\x"]"#,
        "{\"a\": tru}", "[", "{", "{} x", "[\"a\u{01}\"]", #"{1: 2}"#, "[,1]", "", "nul", #"["unterminated]"#,
        String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
    ])
    func refusesWhatIsNotJSON(_ text: String) throws {
        let reader = Self.reader(Array(text.utf8), piece: 2)
        #expect(throws: JSONStreamReader.Malformed.self, "\(text)") {
            while try reader.next() != .end {}
        }
    }

    @Test func refusesInvalidUTF8() throws {
        let reader = Self.reader([UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")], piece: 1)
        #expect(throws: JSONStreamReader.Malformed.self) { try reader.next() }
    }

    @Test func skipsWholeValues() throws {
        let reader = Self.reader(Array(#"{"skip": {"x": [1, {"y": []}]}, "keep": 2}"#.utf8), piece: 4)
        #expect(try reader.next() == .objectStart)
        #expect(try reader.next() == .key("skip"))
        try reader.skipValue()
        #expect(try reader.next() == .key("keep"))
        #expect(try reader.next() == .number("2"))
        #expect(try reader.next() == .objectEnd)
        #expect(try reader.next() == .end)
    }
}
