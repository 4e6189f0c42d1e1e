import COpenSSL

/// HMAC-SHA256 (RFC 2104) through OpenSSL's EVP MAC interface, for request
/// signatures (AWS Signature Version 4).
public enum HMACSHA256 {
    /// Bytes of a MAC.
    public static let length = 32

    /// The MAC of `message` under `key`.
    public static func authenticate(key: [UInt8], message: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        var written = 0
        let result = key.withUnsafeBytes { k in
            message.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, k.baseAddress, k.count, m.baseAddress, m.count,
                              o.baseAddress, o.count, &written)
                }
            }
        }
        guard result != nil, written == length else {
            throw SealError.openSSL(operation: "HMAC-SHA256", message: drainOpenSSLErrors())
        }
        return out
    }

    /// The MAC of the UTF-8 bytes of `message` under `key`.
    public static func authenticate(key: [UInt8], message: String) throws -> [UInt8] {
        try authenticate(key: key, message: Array(message.utf8))
    }
}
