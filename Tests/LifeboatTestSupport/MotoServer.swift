import ExternalProgram
import Foundation
import Postgres
import S3
import Testing

/// A throwaway S3 API on loopback: `moto_server` (PyPI's `moto[server]`) on a
/// free port of 127.0.0.1, started for one test suite and stopped after it.
///
/// Use the `.moto` suite trait; tests then read `MotoServer.current` and make
/// a bucket of their own with `makeStorage`.
public final class MotoServer: Sendable {
    /// The server of the suite being run.
    @TaskLocal public static var current: MotoServer?

    public let port: Int
    private let processID: pid_t

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Credentials moto accepts (it checks no signatures).
    public static let credentials = S3Credentials(accessKeyID: "lifeboat-test", secretAccessKey: "lifeboat-test-secret")

    /// Starts `moto_server` from PATH and waits until it answers.
    public static func start() throws -> MotoServer {
        guard let executable = ExecutableLocator.onPath("moto_server") else { throw MotoServerError.notInstalled }
        var port = 0
        // A port taken between choosing and binding it (suites start servers in
        // parallel) makes moto exit: then another try on a new port.
        for _ in 0..<3 {
            port = try FreePort.find()
            let pid = try DetachedProcess.start(Program(executable, ["-H", "127.0.0.1", "-p", String(port)]))
            let server = MotoServer(port: port, processID: pid)
            let deadline = Date().addingTimeInterval(60)
            while server.isRunning, Date() < deadline {
                // Something answers, and moto is still up: it is moto.
                if server.answers(), server.isRunning { return server }
                Thread.sleep(forTimeInterval: 0.1)
            }
            server.stop()
        }
        throw MotoServerError.didNotStart(port: port)
    }

    /// Whether the moto process has not exited.
    private var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(processID, &status, WNOHANG) == 0
    }

    private init(port: Int, processID: pid_t) {
        self.port = port
        self.processID = processID
    }

    /// True once something accepts TCP connections on the port.
    private func answers() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Stops the server (its whole process group) and reaps it.
    public func stop() {
        kill(-processID, SIGTERM)
        var status: Int32 = 0
        waitpid(processID, &status, 0)
    }

    /// A new, empty bucket with a unique name.
    public func makeBucket() throws -> String {
        let bucket = "lifeboat-\(UInt32.random(in: 0...UInt32.max))"
        try S3Bucket.create(try S3Endpoint(endpoint: endpoint, region: "us-east-1", bucket: bucket, pathStyle: true),
                            credentials: Self.credentials)
        return bucket
    }

    /// Settings for the storage of `bucket` under `prefix` on this server (or
    /// on `endpoint`, a proxy in front of it).
    public func configuration(bucket: String, prefix: String, endpoint: String? = nil,
                              retry: RetryPolicy = RetryPolicy(attempts: 6, baseDelay: 0.01, maxDelay: 0.1)) throws -> S3Configuration {
        S3Configuration(endpoint: try S3Endpoint(endpoint: endpoint ?? self.endpoint, region: "us-east-1", bucket: bucket, pathStyle: true),
                        region: "us-east-1", credentials: Self.credentials, prefix: prefix, retry: retry)
    }

    /// A storage in a new bucket of its own, under `prefix`.
    public func makeStorage(prefix: String = "") throws -> S3Storage {
        S3Storage(configuration: try configuration(bucket: try makeBucket(), prefix: prefix))
    }
}

public enum MotoServerError: Error, CustomStringConvertible {
    case notInstalled
    case didNotStart(port: Int)
    case notInSuite

    public var description: String {
        switch self {
        case .notInstalled: return "moto_server is not on PATH: python3 -m pip install 'moto[server]' (ci/test does)"
        case let .didNotStart(port): return "moto_server did not answer on 127.0.0.1:\(port) within 60 seconds"
        case .notInSuite: return "MotoServer.current is only set inside a suite with the .moto trait"
        }
    }
}

extension MotoServer {
    /// The suite's server, or an error when the test is not in a `.moto` suite.
    public static func require() throws -> MotoServer {
        guard let current else { throw MotoServerError.notInSuite }
        return current
    }
}

/// Starts one moto server for the suite it is attached to and always stops it afterwards.
public struct MotoSuiteTrait: SuiteTrait, TestScoping {
    public var isRecursive: Bool { false }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try MotoServer.start()
        defer { server.stop() }
        try await MotoServer.$current.withValue(server) {
            try await function()
        }
    }
}

extension Trait where Self == MotoSuiteTrait {
    /// A throwaway S3 API (moto) for this suite (see `MotoServer`).
    public static var moto: MotoSuiteTrait { MotoSuiteTrait() }
}
