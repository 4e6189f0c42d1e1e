import COpenSSL

/// Key material held in memory that is wiped (`OPENSSL_cleanse`) when released.
/// Never printed: its description is redacted.
public final class SecretKey: @unchecked Sendable, CustomStringConvertible, Equatable {
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes` into wiped-on-release storage.
    public init(_ bytes: some Collection<UInt8>) {
        storage = .allocate(byteCount: Swift.max(bytes.count, 1), alignment: 16)
        storage.copyBytes(from: bytes)
        count = bytes.count
    }

    /// A fresh random key of `count` bytes.
    public static func random(count: Int) throws -> SecretKey {
        var bytes = try SecureRandom.bytes(count)
        defer { bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        return SecretKey(bytes)
    }

    deinit {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    public let count: Int

    /// Gives `body` read access to the key bytes; do not let them escape.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// A copy of the bytes, for writing into a sealed key slot.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    public var description: String { "SecretKey(\(count) bytes, redacted)" }

    /// Constant-time comparison.
    public static func == (lhs: SecretKey, rhs: SecretKey) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { l in rhs.withUnsafeBytes { r in CRYPTO_memcmp(l.baseAddress, r.baseAddress, l.count) == 0 } }
    }
}
