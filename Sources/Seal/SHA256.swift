import COpenSSL

/// Incremental SHA-256 through OpenSSL's EVP digest interface, for checksums of
/// streamed data.
public final class SHA256Hasher {
    public static let digestLength = 32
    private let context: OpaquePointer

    public init() throws {
        guard let context = EVP_MD_CTX_new() else {
            throw SealError.openSSL(operation: "EVP_MD_CTX_new", message: drainOpenSSLErrors())
        }
        self.context = context
        try checkOpenSSL(EVP_DigestInit_ex(context, EVP_sha256(), nil), "SHA-256 init")
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds `bytes` to the digest.
    public func update(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        try checkOpenSSL(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count), "SHA-256 update")
    }

    /// Adds `bytes` to the digest.
    public func update(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try update($0) }
    }

    /// The digest of everything added; the hasher cannot be used afterwards.
    public func finish() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.digestLength)
        var length: UInt32 = 0
        try checkOpenSSL(EVP_DigestFinal_ex(context, &out, &length), "SHA-256 final")
        return out
    }

    /// SHA-256 of `bytes` in one call.
    public static func digest(_ bytes: [UInt8]) throws -> [UInt8] {
        let hasher = try SHA256Hasher()
        try hasher.update(bytes)
        return try hasher.finish()
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Bytes from hexadecimal text, or nil if it is not valid hex.
    public init?(hex: String) {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(chars.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var index = 0
        while index < chars.count {
            guard let high = value(chars[index]), let low = value(chars[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self = bytes
    }
}
