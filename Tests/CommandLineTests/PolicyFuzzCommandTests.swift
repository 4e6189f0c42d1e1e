import Foundation
import LifeboatEngine
import LifeboatTestSupport
import Testing

/// A sample of the fuzzer's refused policies through the command line: exit 2,
/// and one error line naming the file and the line, nothing on stdout.
@Suite struct PolicyFuzzCommandTests {
    @Test func refusedMutatedPoliciesExit2NamingFileAndLine() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var mutator = PolicyMutator(seeds: try PolicyMutator.examplePolicies(), seed: 0xC11)
        var tried = 0
        for (index, mutation) in mutator.cases(400).enumerated() where tried < 30 {
            let path = dir.appending("fuzz-\(index).yaml")
            try Data(mutation.bytes).write(to: URL(fileURLWithPath: path))
            let expected: PolicyError
            do {
                _ = try PolicyLoader.load(path: path)
                continue
            } catch let error as PolicyError {
                expected = error
            }
            tried += 1
            let result = try LifeboatBinary.run(["list", "--policy", path])
            #expect(result.status == 2, "\(mutation.steps): \(result.status) \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(mutation.steps)")
            // Only an empty file has no line (the loader's fuzz test holds it to that).
            let location = expected.line.map { "\(path):\($0): " } ?? "\(path): is empty"
            #expect(result.stderr.hasPrefix("lifeboat: error: \(location)"), "\(mutation.steps): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
        }
        #expect(tried == 30)
    }
}
