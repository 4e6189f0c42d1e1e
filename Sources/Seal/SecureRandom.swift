import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    /// `count` random bytes.
    public static func bytes(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 {
            try out.withUnsafeMutableBufferPointer { buffer in
                try checkOpenSSL(RAND_bytes(buffer.baseAddress, Int32(count)), "RAND_bytes")
            }
        }
        return out
    }
}
