import COpenSSL

/// AES-256 in Galois/Counter Mode through OpenSSL's EVP interface, with a 96-bit
/// nonce and a 128-bit tag.
///
/// One instance keeps one cipher context whose key schedule is set up once, so
/// sealing many chunks under the same key only resets the nonce. Not thread-safe:
/// use one instance per task.
public final class AES256GCM {
    public static let keyLength = 32
    public static let nonceLength = 12
    public static let tagLength = 16

    /// Whether this instance encrypts or decrypts.
    public enum Direction: Sendable { case seal, open }

    private let context: OpaquePointer
    private let direction: Direction

    /// Prepares a context for `key` (32 bytes).
    public init(key: SecretKey, direction: Direction) throws {
        guard key.count == Self.keyLength else {
            throw SealError.invalidLength(what: "AES-256-GCM key", expected: Self.keyLength, actual: key.count)
        }
        guard let context = EVP_CIPHER_CTX_new() else {
            throw SealError.openSSL(operation: "EVP_CIPHER_CTX_new", message: drainOpenSSLErrors())
        }
        self.context = context
        self.direction = direction
        let status: Int32 = key.withUnsafeBytes { k in
            let keyPointer = k.bindMemory(to: UInt8.self).baseAddress
            switch direction {
            case .seal: return EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, keyPointer, nil)
            case .open: return EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, keyPointer, nil)
            }
        }
        try checkOpenSSL(status, "AES-256-GCM key set-up")
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Encrypts `plaintext` into `ciphertext` (same length) and writes the tag
    /// into `tag` (16 bytes). `aad` is authenticated but not encrypted.
    /// `ciphertext` may be `plaintext` itself (in place), not partly overlap it.
    public func seal(
        nonce: UnsafeRawBufferPointer,
        aad: UnsafeRawBufferPointer,
        plaintext: UnsafeRawBufferPointer,
        ciphertext: UnsafeMutableRawBufferPointer,
        tag: UnsafeMutableRawBufferPointer
    ) throws {
        precondition(direction == .seal, "AES256GCM opened for decryption used to seal")
        try checkLengths(nonce: nonce.count, tag: tag.count, input: plaintext.count, output: ciphertext.count)
        try checkOpenSSL(EVP_EncryptInit_ex(context, nil, nil, nil, nonce.bindMemory(to: UInt8.self).baseAddress), "GCM nonce")
        var outLength: Int32 = 0
        if aad.count > 0 {
            try checkOpenSSL(EVP_EncryptUpdate(context, nil, &outLength, aad.bindMemory(to: UInt8.self).baseAddress, Int32(aad.count)), "GCM AAD")
        }
        if plaintext.count > 0 {
            try checkOpenSSL(EVP_EncryptUpdate(context, ciphertext.bindMemory(to: UInt8.self).baseAddress, &outLength,
                                               plaintext.bindMemory(to: UInt8.self).baseAddress, Int32(plaintext.count)), "GCM encrypt")
        }
        try checkOpenSSL(EVP_EncryptFinal_ex(context, nil, &outLength), "GCM finish")
        try checkOpenSSL(EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagLength), tag.baseAddress), "GCM tag")
    }

    /// Decrypts `ciphertext` into `plaintext` (same length) after checking `tag`.
    /// Throws `SealError.authenticationFailed` if anything was altered; the
    /// output must then be discarded. `plaintext` may be `ciphertext` itself
    /// (in place), not partly overlap it.
    public func open(
        nonce: UnsafeRawBufferPointer,
        aad: UnsafeRawBufferPointer,
        ciphertext: UnsafeRawBufferPointer,
        tag: UnsafeRawBufferPointer,
        plaintext: UnsafeMutableRawBufferPointer
    ) throws {
        precondition(direction == .open, "AES256GCM opened for encryption used to open")
        try checkLengths(nonce: nonce.count, tag: tag.count, input: ciphertext.count, output: plaintext.count)
        try checkOpenSSL(EVP_DecryptInit_ex(context, nil, nil, nil, nonce.bindMemory(to: UInt8.self).baseAddress), "GCM nonce")
        var outLength: Int32 = 0
        if aad.count > 0 {
            try checkOpenSSL(EVP_DecryptUpdate(context, nil, &outLength, aad.bindMemory(to: UInt8.self).baseAddress, Int32(aad.count)), "GCM AAD")
        }
        if ciphertext.count > 0 {
            try checkOpenSSL(EVP_DecryptUpdate(context, plaintext.bindMemory(to: UInt8.self).baseAddress, &outLength,
                                               ciphertext.bindMemory(to: UInt8.self).baseAddress, Int32(ciphertext.count)), "GCM decrypt")
        }
        try checkOpenSSL(EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagLength), UnsafeMutableRawPointer(mutating: tag.baseAddress)), "GCM set tag")
        guard EVP_DecryptFinal_ex(context, nil, &outLength) == 1 else {
            _ = drainOpenSSLErrors()
            throw SealError.authenticationFailed
        }
    }

    private func checkLengths(nonce: Int, tag: Int, input: Int, output: Int) throws {
        guard nonce == Self.nonceLength else { throw SealError.invalidLength(what: "GCM nonce", expected: Self.nonceLength, actual: nonce) }
        guard tag == Self.tagLength else { throw SealError.invalidLength(what: "GCM tag", expected: Self.tagLength, actual: tag) }
        guard output >= input else { throw SealError.invalidLength(what: "GCM output buffer", expected: input, actual: output) }
        guard input <= Int(Int32.max) else { throw SealError.invalidLength(what: "GCM input", expected: Int(Int32.max), actual: input) }
    }
}

extension AES256GCM {
    /// Convenience for small messages: returns ciphertext followed by the 16-byte tag.
    public static func seal(key: SecretKey, nonce: [UInt8], aad: [UInt8] = [], plaintext: [UInt8]) throws -> [UInt8] {
        let cipher = try AES256GCM(key: key, direction: .seal)
        var out = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        try nonce.withUnsafeBytes { n in
            try aad.withUnsafeBytes { a in
                try plaintext.withUnsafeBytes { p in
                    try out.withUnsafeMutableBytes { o in
                        try cipher.seal(nonce: n, aad: a, plaintext: p,
                                        ciphertext: UnsafeMutableRawBufferPointer(rebasing: o[0..<plaintext.count]),
                                        tag: UnsafeMutableRawBufferPointer(rebasing: o[plaintext.count...]))
                    }
                }
            }
        }
        return out
    }

    /// Convenience for small messages: opens ciphertext-then-tag as produced by `seal`.
    public static func open(key: SecretKey, nonce: [UInt8], aad: [UInt8] = [], sealed: [UInt8]) throws -> [UInt8] {
        guard sealed.count >= tagLength else { throw SealError.authenticationFailed }
        let cipher = try AES256GCM(key: key, direction: .open)
        let length = sealed.count - tagLength
        var out = [UInt8](repeating: 0, count: length)
        try nonce.withUnsafeBytes { n in
            try aad.withUnsafeBytes { a in
                try sealed.withUnsafeBytes { s in
                    try out.withUnsafeMutableBytes { o in
                        try cipher.open(nonce: n, aad: a,
                                        ciphertext: UnsafeRawBufferPointer(rebasing: s[0..<length]),
                                        tag: UnsafeRawBufferPointer(rebasing: s[length...]),
                                        plaintext: o)
                    }
                }
            }
        }
        return out
    }
}
