import COpenSSL

/// MD5, only because S3 requires a `Content-MD5` header on some requests
/// (DeleteObjects). Never used to protect anything.
public enum MD5 {
    /// The 16-byte digest of `bytes`.
    public static func digest(_ bytes: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        var written = 0
        let status = bytes.withUnsafeBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in
                EVP_Q_digest(nil, "MD5", nil, b.baseAddress, b.count, o.baseAddress, &written)
            }
        }
        try checkOpenSSL(status, "MD5")
        return out
    }
}
