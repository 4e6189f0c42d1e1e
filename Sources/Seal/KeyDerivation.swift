import Foundation
import COpenSSL

/// Key-derivation functions: HKDF-SHA256 (RFC 5869) for deriving keys from keys,
/// scrypt (RFC 7914) and PBKDF2-HMAC-SHA256 (RFC 8018) for deriving keys from
/// passphrases.
public enum KeyDerivation {
    /// HKDF-SHA256 extract-and-expand: `length` bytes from input keying material,
    /// salt and context info.
    public static func hkdfSHA256(key: SecretKey, salt: [UInt8], info: [UInt8], length: Int) throws -> SecretKey {
        try key.withUnsafeBytes { ikm in
            try hkdfSHA256(ikm: ikm, salt: salt, info: info, length: length)
        }
    }

    /// HKDF-SHA256 over raw input keying material.
    public static func hkdfSHA256(ikm: UnsafeRawBufferPointer, salt: [UInt8], info: [UInt8], length: Int) throws -> SecretKey {
        guard let kdf = EVP_KDF_fetch(nil, "HKDF", nil) else {
            throw SealError.openSSL(operation: "EVP_KDF_fetch(HKDF)", message: drainOpenSSLErrors())
        }
        defer { EVP_KDF_free(kdf) }
        guard let context = EVP_KDF_CTX_new(kdf) else {
            throw SealError.openSSL(operation: "EVP_KDF_CTX_new", message: drainOpenSSLErrors())
        }
        defer { EVP_KDF_CTX_free(context) }

        // OSSL_PARAM keeps pointers to its names and values, so each must stay
        // valid until EVP_KDF_derive returns: C copies, freed afterwards.
        let strings = [OSSL_KDF_PARAM_DIGEST, OSSL_KDF_PARAM_KEY, OSSL_KDF_PARAM_SALT, OSSL_KDF_PARAM_INFO, "SHA256"].map { $0.withCString { strdup($0) } }
        defer { strings.forEach { free($0) } }
        guard let digestName = strings[0], let keyName = strings[1], let saltName = strings[2], let infoName = strings[3], let digest = strings[4] else {
            throw SealError.openSSL(operation: "HKDF-SHA256", message: "out of memory")
        }
        var ikmCopy = Array(ikm)
        var saltCopy = salt
        var infoCopy = info
        var out = [UInt8](repeating: 0, count: length)
        defer {
            ikmCopy.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
            out.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
        }
        let status: Int32 = ikmCopy.withUnsafeMutableBytes { i in
            saltCopy.withUnsafeMutableBytes { s in
                infoCopy.withUnsafeMutableBytes { n in
                    var params = [
                        OSSL_PARAM_construct_utf8_string(digestName, digest, 0),
                        OSSL_PARAM_construct_octet_string(keyName, i.baseAddress, i.count),
                    ]
                    if s.count > 0 { params.append(OSSL_PARAM_construct_octet_string(saltName, s.baseAddress, s.count)) }
                    if n.count > 0 { params.append(OSSL_PARAM_construct_octet_string(infoName, n.baseAddress, n.count)) }
                    params.append(OSSL_PARAM_construct_end())
                    return out.withUnsafeMutableBufferPointer { o in
                        EVP_KDF_derive(context, o.baseAddress, length, &params)
                    }
                }
            }
        }
        try checkOpenSSL(status, "HKDF-SHA256")
        return SecretKey(out)
    }

    /// scrypt with cost `n` (a power of two), block size `r` and parallelism `p`.
    public static func scrypt(passphrase: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, length: Int) throws -> SecretKey {
        guard n > 1, n & (n - 1) == 0 else { throw SealError.invalidParameter("scrypt N must be a power of two greater than 1, got \(n)") }
        guard r > 0, p > 0 else { throw SealError.invalidParameter("scrypt r and p must be positive") }
        // OpenSSL refuses to use more than maxmem bytes; allow what the parameters need plus slack.
        let (needed, overflow) = (128 * r).multipliedReportingOverflow(by: n + p + 2)
        guard !overflow, needed < 4 << 30 else { throw SealError.invalidParameter("scrypt parameters need more than 4 GiB of memory") }
        var out = [UInt8](repeating: 0, count: length)
        defer { out.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        let status = passphrase.withUnsafeBufferPointer { pw in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_PBE_scrypt(pw.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, pw.count,
                                   s.baseAddress, s.count, n, r, p, needed + (1 << 20), o.baseAddress, length)
                }
            }
        }
        try checkOpenSSL(status, "scrypt")
        return SecretKey(out)
    }

    /// PBKDF2 with HMAC-SHA256 and `iterations` rounds.
    public static func pbkdf2SHA256(passphrase: [UInt8], salt: [UInt8], iterations: Int, length: Int) throws -> SecretKey {
        guard iterations > 0, iterations <= Int(Int32.max) else { throw SealError.invalidParameter("PBKDF2 iterations must be positive") }
        var out = [UInt8](repeating: 0, count: length)
        defer { out.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        let status = passphrase.withUnsafeBufferPointer { pw in
            salt.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { o in
                    PKCS5_PBKDF2_HMAC(pw.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, Int32(pw.count),
                                      s.baseAddress, Int32(s.count), Int32(iterations), EVP_sha256(), Int32(length), o.baseAddress)
                }
            }
        }
        try checkOpenSSL(status, "PBKDF2-HMAC-SHA256")
        return SecretKey(out)
    }
}
