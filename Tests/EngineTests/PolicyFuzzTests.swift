import Foundation
import LifeboatEngine
import LifeboatTestSupport
import Testing

/// The policy loader against thousands of hostile documents derived from the
/// example policies: it never crashes, never hangs, never throws anything but a
/// `PolicyError`, and every error names the file and a line inside it.
@Suite struct PolicyFuzzTests {
    static let documents = 3_000

    @Test func mutatedPoliciesAreLoadedOrRefusedWithFileAndLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var mutator = PolicyMutator(seeds: try PolicyMutator.examplePolicies(), seed: 0x11FE_B0A7)
        var refused = 0
        var problems: [String] = []
        var messages: [String: Int] = [:]
        for (index, mutation) in mutator.cases(Self.documents).enumerated() {
            let file = dir.appending("fuzz-\(index).yaml")
            let started = Date()
            do {
                if let text = mutation.text {
                    _ = try PolicyLoader.parse(text, file: file)
                } else {
                    try Data(mutation.bytes).write(to: URL(fileURLWithPath: file))
                    _ = try PolicyLoader.load(path: file)
                }
            } catch let error as PolicyError {
                refused += 1
                let lineCount = mutation.bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
                if error.file != file { problems.append("#\(index) \(mutation.steps): names \(error.file), not the file") }
                if let line = error.line {
                    if line < 1 || line > lineCount + 1 {
                        problems.append("#\(index) \(mutation.steps): line \(line) is outside the file's \(lineCount) lines: \(error.localizedDescription)")
                    }
                } else if !error.message.hasPrefix("is empty") {
                    problems.append("#\(index) \(mutation.steps): no line: \(error.localizedDescription)")
                }
                if !error.localizedDescription.hasPrefix(file) {
                    problems.append("#\(index) \(mutation.steps): the message does not start with the file: \(error.localizedDescription)")
                }
                messages[String(error.message.prefix(30)), default: 0] += 1
            } catch {
                problems.append("#\(index) \(mutation.steps): not a PolicyError: \(type(of: error)) \(error)")
            }
            let seconds = Date().timeIntervalSince(started)
            if seconds > 2 { problems.append("#\(index) \(mutation.steps): took \(Int(seconds)) s") }
        }
        #expect(problems.isEmpty, "\(problems.count) problem(s):\n\(problems.prefix(25).joined(separator: "\n"))")
        // The generator must actually produce broken documents, and many kinds of them.
        #expect(refused > Self.documents / 2, "only \(refused) of \(Self.documents) documents were refused")
        #expect(messages.count > 20, "\(messages.keys.sorted())")
    }

    @Test func theSameSeedGivesTheSameDocuments() throws {
        let seeds = try PolicyMutator.examplePolicies()
        var a = PolicyMutator(seeds: seeds, seed: 7), b = PolicyMutator(seeds: seeds, seed: 7)
        #expect(a.cases(50).map(\.bytes) == b.cases(50).map(\.bytes))
    }

    /// A file that is not UTF-8 names the line of the first bad byte.
    @Test func binaryBytesNameTheirLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.appending("binary.yaml")
        try Data(Array("name: lms\npostgres:\n  databases: [a".utf8) + [0xFF, 0xFE] + Array("]\n".utf8)).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: PolicyError.self) { _ = try PolicyLoader.load(path: path) }
        #expect(error.line == 3)
        #expect(error.localizedDescription.hasPrefix("\(path):3: "))
        #expect(error.message.contains("UTF-8"))
    }

    /// Anchors and aliases: a billion-laughs document is refused quickly, and an
    /// alias where a value is expected is named as such.
    @Test func aliasBombsAreRefusedQuickly() throws {
        var bomb = "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1...9 { bomb += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ",") + "]\n" }
        let started = Date()
        let error = try #require(throws: PolicyError.self) { _ = try PolicyLoader.parse(bomb + "name: lms\n", file: "bomb.yaml") }
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(error.line != nil && error.file == "bomb.yaml")
    }
}
