import Foundation
import LifeboatEngine

/// Progress on a terminal: one line on stderr, redrawn at most five times a
/// second, with bytes, rate and (when the size is known) an ETA.
final class TerminalProgress: ProgressReporter {
    private var step = ""
    private var expected: Int64?
    private var bytes: Int64 = 0
    private var started = Date()
    private var lastDraw = Date.distantPast

    func begin(_ step: String, expectedBytes: Int64?) {
        self.step = step
        expected = expectedBytes
        bytes = 0
        started = Date()
        lastDraw = .distantPast
        draw(force: true)
    }

    func advance(to bytes: Int64) {
        self.bytes = bytes
        draw(force: false)
    }

    func end() {
        draw(force: true)
        FileHandle.standardError.write(Data("\n".utf8))
    }

    func warning(_ message: String) {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        Console.warning(message)
    }

    private func draw(force: Bool) {
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(bytes) / elapsed
        var line = "\(step)  \(ByteFormat.string(bytes))  \(ByteFormat.string(Int64(rate)))/s"
        if let expected, expected > bytes, rate > 0 {
            line += "  ETA \(DurationFormat.string(Double(expected - bytes) / rate)) (est.)"
        }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }
}

/// No progress (cron, pipes, `--json`); warnings still reach stderr.
final class QuietProgress: ProgressReporter {
    func begin(_ step: String, expectedBytes: Int64?) {}
    func advance(to bytes: Int64) {}
    func end() {}
    func warning(_ message: String) { Console.warning(message) }
}

enum ProgressDisplay {
    /// A progress bar when stderr is a terminal and the output is for people.
    static func make(json: Bool) -> ProgressReporter {
        !json && isatty(STDERR_FILENO) == 1 ? TerminalProgress() : QuietProgress()
    }
}
