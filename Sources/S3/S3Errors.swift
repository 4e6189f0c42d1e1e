import Foundation
import Repository

/// An error response from the object store: its HTTP status and, when the body
/// said, S3's error code and message. Carries nothing of the request's credentials.
struct S3ServiceError: Error, CustomStringConvertible {
    let status: Int
    let code: String?
    let message: String?
    /// The bucket's region, when the store says the request went to the wrong one.
    let bucketRegion: String?

    /// Worth another attempt: the store was busy or failed on its side.
    var isRetryable: Bool {
        if [500, 502, 503, 504, 429].contains(status) { return true }
        return ["SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "ConditionalRequestConflict",
                "OperationAborted"].contains(code ?? "")
    }

    var description: String {
        var text = "HTTP \(status)"
        if let code { text += " \(code)" }
        if let message, !message.isEmpty { text += ": \(message)" }
        if let bucketRegion { text += " (the bucket is in region \(bucketRegion); set repository.s3.region)" }
        return text
    }
}

/// The request never got a complete answer: refused or dropped connection,
/// timeout. Always worth another attempt.
struct S3TransportError: Error, CustomStringConvertible {
    let underlying: String
    var description: String { "no complete response (\(underlying))" }
}

/// A response the client cannot make sense of (malformed XML, a missing field).
struct S3ProtocolError: Error, CustomStringConvertible {
    let description: String
}

/// Turns what went wrong with a request into the storage layer's error.
enum StorageFailure {
    static func make(_ operation: String, _ path: String, _ reason: String, attempts: Int?) -> StorageError {
        guard let attempts, attempts > 1 else { return .io(operation: operation, path: path, reason: reason) }
        return .io(operation: operation, path: path, reason: "\(reason); gave up after \(attempts) attempts")
    }
}
