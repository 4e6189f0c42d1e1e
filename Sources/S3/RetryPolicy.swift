import Foundation
import Repository

/// How often and how patiently a request is tried again: up to `attempts`
/// tries, sleeping a random time between zero and
/// `min(maxDelay, baseDelay × 2^(try − 1))` after each failed one
/// ("exponential backoff with full jitter").
///
/// Only failures on the store's side or the network's are retried (5xx, 429,
/// `SlowDown`, `RequestTimeout`, dropped connections, timeouts); every
/// request lifeboat sends is safe to repeat (see `S3Storage`).
public struct RetryPolicy: Sendable {
    /// Tries in all, the first included.
    public var attempts: Int
    /// Ceiling of the first wait, in seconds; it doubles after each try.
    public var baseDelay: TimeInterval
    /// Ceiling of any one wait, in seconds.
    public var maxDelay: TimeInterval

    /// Six tries, waits of up to 0.5, 1, 2, 4 and 8 seconds (at most 15.5 s in all).
    public init(attempts: Int = 6, baseDelay: TimeInterval = 0.5, maxDelay: TimeInterval = 16) {
        self.attempts = max(1, attempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// Runs `body` (given the attempt number, from 1) until it succeeds, fails
    /// in a way not worth retrying, or the attempts are used up. Store and
    /// network failures become `StorageError.io(operation:path:reason:)`;
    /// other errors (`StorageError.notFound`, …) pass through unchanged.
    func run<T>(_ operation: String, _ path: String, _ body: (Int) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try body(attempt)
            } catch let error as S3ServiceError where error.isRetryable && attempt < attempts {
                sleep(before: attempt + 1)
            } catch is S3TransportError where attempt < attempts {
                sleep(before: attempt + 1)
            } catch let error as S3ServiceError {
                throw StorageFailure.make(operation, path, "\(error)", attempts: error.isRetryable ? attempt : nil)
            } catch let error as S3TransportError {
                throw StorageFailure.make(operation, path, "\(error)", attempts: attempt)
            } catch let error as S3ProtocolError {
                throw StorageFailure.make(operation, path, "\(error)", attempts: nil)
            }
            attempt += 1
        }
    }

    private func sleep(before attempt: Int) {
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt - 2)))
        Thread.sleep(forTimeInterval: ceiling > 0 ? Double.random(in: 0...ceiling) : 0)
    }
}
