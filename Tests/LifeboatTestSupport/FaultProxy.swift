import Foundation
import NIOConcurrencyHelpers

/// An HTTP/1.1 proxy on loopback between a client and an upstream server
/// (moto) that injects faults: error answers (500, 503 SlowDown), delays,
/// connections dropped in the middle of a request body (an interrupted
/// upload), and answers lost after the upstream did the work.
///
/// One thread per connection; every answer closes its connection, so each
/// request the client makes arrives on a connection of its own. A client may
/// also use it as its HTTP proxy (`CONNECT`), which lets a test send requests
/// for any host name to the upstream.
public final class FaultProxy: Sendable {
    /// What to do to a request.
    public enum Fault: Sendable {
        /// Answer with this status and S3 error code without forwarding.
        case status(Int, code: String)
        /// Wait, then forward.
        case delay(TimeInterval)
        /// Read half the body, then close the connection: the upstream never sees it.
        case dropDuringBody
        /// Forward and let the upstream do the work, then close the connection
        /// without passing its answer on.
        case dropResponse
    }

    /// A request as the proxy sees it.
    public struct Request: Sendable {
        public let method: String
        /// Path and query, as sent.
        public let target: String
        public let bodyLength: Int

        /// True for an UploadPart request.
        public var isPartUpload: Bool { method == "PUT" && target.contains("partNumber=") }
        /// True for a PUT with a body: a whole object or a part.
        public var isUpload: Bool { method == "PUT" && bodyLength > 0 }
    }

    private struct Rule {
        let fault: Fault
        var remaining: Int?
        let oncePerTarget: Bool
        var seenTargets: Set<String> = []
        let matches: @Sendable (Request) -> Bool
    }

    private struct State {
        var rules: [Rule] = []
        var requests: [Request] = []
        var faultsApplied = 0
        var active = 0
        var peakActive = 0
    }

    public let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let state = NIOLockedValueBox(State())

    /// Starts a proxy on a free port of 127.0.0.1 in front of `127.0.0.1:upstreamPort`.
    public init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard bound == 0, named == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Applies `fault` to the next `times` requests that `matches` (every one
    /// when `times` is nil). With `oncePerTarget`, only to the first request
    /// for each method and target, so every retry of it goes through.
    public func inject(_ fault: Fault, times: Int? = 1, oncePerTarget: Bool = false,
                       when matches: @escaping @Sendable (Request) -> Bool = { _ in true }) {
        state.withLockedValue { $0.rules.append(Rule(fault: fault, remaining: times, oncePerTarget: oncePerTarget, matches: matches)) }
    }

    /// Removes every fault; requests are forwarded untouched from now on.
    public func clearFaults() {
        state.withLockedValue { $0.rules.removeAll() }
    }

    /// Every request seen so far.
    public var requests: [Request] { state.withLockedValue { $0.requests } }

    /// How many requests a fault was applied to.
    public var faultsApplied: Int { state.withLockedValue { $0.faultsApplied } }

    /// The most requests that were in progress at the same time.
    public var peakConcurrentRequests: Int { state.withLockedValue { $0.peakActive } }

    /// Stops accepting connections.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    // MARK: Connections

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in
                state.withLockedValue {
                    $0.active += 1
                    $0.peakActive = max($0.peakActive, $0.active)
                }
                handle(client)
                close(client)
                state.withLockedValue { $0.active -= 1 }
            }
            thread.start()
        }
    }

    private func handle(_ client: Int32) {
        var reader = SocketReader(fd: client)
        guard var head = reader.readHead(), var (method, target, bodyLength) = Self.parse(head) else { return }
        if method == "CONNECT" {
            // A client set up to use this as its HTTP proxy tunnels through
            // it; the request then follows on the same connection.
            sendAll(client, Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8))
            guard let tunneled = reader.readHead(), let parsed = Self.parse(tunneled) else { return }
            head = tunneled
            (method, target, bodyLength) = parsed
        }
        let request = Request(method: method, target: target, bodyLength: bodyLength)
        let fault = choose(for: request)
        switch fault {
        case let .status(code, errorCode)?:
            guard reader.readBody(bodyLength) != nil else { return }
            let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(errorCode)</Code><Message>injected by the test proxy</Message></Error>"
            sendAll(client, Array(("HTTP/1.1 \(code) Injected\r\nContent-Type: application/xml\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Connection: close\r\n\r\n" + body).utf8))
        case .dropDuringBody?:
            _ = reader.readBody(bodyLength / 2)
            shutdown(client, Int32(SHUT_RDWR))
        case let .delay(seconds)?:
            Thread.sleep(forTimeInterval: seconds)
            forward(head, &reader, bodyLength, to: client, relay: true)
        case .dropResponse?:
            forward(head, &reader, bodyLength, to: client, relay: false)
            shutdown(client, Int32(SHUT_RDWR))
        case nil:
            forward(head, &reader, bodyLength, to: client, relay: true)
        }
    }

    private func choose(for request: Request) -> Fault? {
        state.withLockedValue { state in
            state.requests.append(request)
            for index in state.rules.indices {
                var rule = state.rules[index]
                guard rule.remaining ?? 1 > 0, rule.matches(request) else { continue }
                let target = request.method + " " + request.target
                if rule.oncePerTarget {
                    guard !rule.seenTargets.contains(target) else { continue }
                    rule.seenTargets.insert(target)
                }
                rule.remaining = rule.remaining.map { $0 - 1 }
                state.rules[index] = rule
                state.faultsApplied += 1
                return rule.fault
            }
            return nil
        }
    }

    /// Sends the request upstream on a new connection (asking it to close
    /// afterwards) and, when `relay`, copies its whole answer back.
    private func forward(_ head: [UInt8], _ reader: inout SocketReader, _ bodyLength: Int, to client: Int32, relay: Bool) {
        guard let body = reader.readBody(bodyLength) else { return }
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard upstream >= 0 else { return }
        defer { close(upstream) }
        var address = Self.loopback(port: upstreamPort)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return }
        sendAll(upstream, Self.closingConnection(head) + body)
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(upstream, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            if relay { sendAll(client, Array(buffer[0..<n])) }
        }
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    /// The request head with its `Connection` header replaced by `close`.
    private static func closingConnection(_ head: [UInt8]) -> [UInt8] {
        let text = String(decoding: head, as: UTF8.self)
        let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty && !$0.lowercased().hasPrefix("connection:") }
        return Array((lines.joined(separator: "\r\n") + "\r\nConnection: close\r\n\r\n").utf8)
    }

    /// Method, target and body length of a request head (bodies with
    /// `Content-Length` only: the client under test sends no chunked ones).
    private static func parse(_ head: [UInt8]) -> (String, String, Int)? {
        let lines = String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines.first?.split(separator: " ") ?? []
        guard requestLine.count == 3 else { return nil }
        var length = 0
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
            }
        }
        return (String(requestLine[0]), String(requestLine[1]), length)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }
}

/// Buffered reads from a socket: a request head, then a body of known length.
private struct SocketReader {
    let fd: Int32
    private var pending: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 256 << 10)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        pending += chunk[0..<n]
        return true
    }

    /// Everything up to and including the blank line after the headers.
    mutating func readHead() -> [UInt8]? {
        let end: [UInt8] = [13, 10, 13, 10]
        while true {
            if let range = pending.firstRange(of: end) {
                let head = Array(pending[..<range.upperBound])
                pending.removeFirst(range.upperBound)
                return head
            }
            guard fill() else { return nil }
        }
    }

    /// The next `count` bytes; nil if the connection ends first.
    mutating func readBody(_ count: Int) -> [UInt8]? {
        while pending.count < count {
            guard fill() else { return nil }
        }
        let body = Array(pending[0..<count])
        pending.removeFirst(count)
        return body
    }
}
