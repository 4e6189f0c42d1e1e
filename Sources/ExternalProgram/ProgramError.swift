import Foundation

/// Why an external program did not do its job. Every case names the program and,
/// where there is one, carries the last lines it wrote to stderr.
public enum ProgramError: Error, LocalizedError, Equatable {
    /// The program was not found where it was looked for.
    case notFound(program: String, searched: [String])
    /// The operating system refused to start it.
    case launchFailed(program: String, reason: String)
    /// It ran and exited with a non-zero status.
    case failed(program: String, status: Int32, stderrTail: String)
    /// It was ended by a signal.
    case killed(program: String, signal: Int32, stderrTail: String)

    public var errorDescription: String? {
        switch self {
        case let .notFound(program, searched):
            let places = searched.isEmpty ? "" : " (looked in: \(searched.joined(separator: ", ")))"
            return "\(program) was not found\(places); install it or set postgres.bin_dir in the policy"
        case let .launchFailed(program, reason):
            return "could not start \(program): \(reason)"
        case let .failed(program, status, tail):
            return "\(program) exited with status \(status)" + Self.render(tail)
        case let .killed(program, signal, tail):
            return "\(program) was killed by signal \(signal)" + Self.render(tail)
        }
    }

    private static func render(_ tail: String) -> String {
        let trimmed = tail.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "" : ":\n" + trimmed
    }
}
