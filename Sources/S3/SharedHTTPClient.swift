import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The one HTTP client of the process, on NIO's process-wide event loop group.
///
/// It lives as long as the process, like `HTTPClient.shared`: commands are
/// short-lived, and a client kept for the whole run needs no shutdown (its
/// connections close with the process). It is thread-safe; every `S3Storage`
/// of the process shares its connection pool. Requests block only their
/// calling thread, never an event loop.
public enum SharedHTTPClient {
    /// Redirects are not followed (S3 answers a wrong region with one); connect
    /// timeout 10 s, read and write 120 s; HTTP/1.1 only.
    public static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(120), write: .seconds(120)),
            connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
        )
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()
}
