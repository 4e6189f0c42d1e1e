import COpenSSL
import Foundation

/// Errors from the cryptographic layer.
public enum SealError: Error, LocalizedError, Equatable {
    /// OpenSSL reported a failure; `message` is its error queue, drained.
    case openSSL(operation: String, message: String)
    /// A ciphertext failed authentication: it was altered, truncated, reordered
    /// or sealed under another key. Nothing of it may be trusted.
    case authenticationFailed
    /// A key, nonce or tag of the wrong length was supplied.
    case invalidLength(what: String, expected: Int, actual: Int)
    /// A KDF parameter is outside what the algorithm or this machine allows.
    case invalidParameter(String)

    public var errorDescription: String? {
        switch self {
        case let .openSSL(operation, message):
            return "OpenSSL \(operation) failed: \(message)"
        case .authenticationFailed:
            return "authentication failed: the data was altered, truncated or sealed with another key"
        case let .invalidLength(what, expected, actual):
            return "\(what) must be \(expected) bytes, got \(actual)"
        case let .invalidParameter(detail):
            return "invalid key-derivation parameter: \(detail)"
        }
    }
}

/// The one place that turns an OpenSSL status into a Swift error: OpenSSL's
/// EVP functions return 1 on success; anything else drains the error queue into
/// a `SealError.openSSL`.
@inline(__always)
func checkOpenSSL(_ status: Int32, _ operation: @autoclosure () -> String) throws {
    guard status == 1 else { throw SealError.openSSL(operation: operation(), message: drainOpenSSLErrors()) }
}

/// Pops every pending error off OpenSSL's thread-local queue and renders them.
func drainOpenSSLErrors() -> String {
    var messages: [String] = []
    while true {
        let code = ERR_get_error()
        if code == 0 { break }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return messages.isEmpty ? "no detail from OpenSSL" : messages.joined(separator: "; ")
}
