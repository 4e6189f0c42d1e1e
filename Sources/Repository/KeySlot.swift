import Foundation
import Seal

/// A key slot, `keys/slots/<id>.json`: the repository key (a random 32-byte key
/// that opens the keyring) wrapped under a key derived from one secret, a key
/// file or a passphrase. Plaintext by design: it holds only public KDF
/// parameters and the wrapped key.
///
/// ```json
/// {"id": "3f9c2a7b01d4e8f6", "kind": "passphrase", "created_at": "…",
///  "kdf": {"name": "scrypt", "salt": "<base64>", "n": 32768, "r": 8, "p": 1},
///  "nonce": "<base64, 12 bytes>", "wrapped_key": "<base64, 32 bytes + 16-byte tag>"}
/// ```
///
/// Wrapping: `AES-256-GCM(key: KEK, nonce, aad: "lifeboat key slot v1" ‖ 0x00 ‖
/// repository id ‖ 0x00 ‖ slot id, plaintext: repository key)`. The KEK is
/// - `kind: "key-file"`: `HKDF-SHA256(ikm: the 32 key-file bytes, salt, info: "lifeboat key file")` — fast, for `archive_command`;
/// - `kind: "passphrase"`: `scrypt(passphrase, salt, n, r, p, 32)` or `PBKDF2-HMAC-SHA256(passphrase, salt, iterations, 32)`.
public struct KeySlot: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case keyFile = "key-file"
        case passphrase
    }

    /// Parameters of the key-derivation function; all public.
    public struct KDF: Codable, Sendable, Equatable {
        /// `hkdf-sha256`, `scrypt` or `pbkdf2-sha256`.
        public var name: String
        public var salt: String
        public var n: UInt64?
        public var r: UInt64?
        public var p: UInt64?
        public var iterations: Int?

        public static func scrypt(salt: [UInt8], n: UInt64 = 1 << 15, r: UInt64 = 8, p: UInt64 = 1) -> KDF {
            KDF(name: "scrypt", salt: Data(salt).base64EncodedString(), n: n, r: r, p: p)
        }

        public static func pbkdf2(salt: [UInt8], iterations: Int = 600_000) -> KDF {
            KDF(name: "pbkdf2-sha256", salt: Data(salt).base64EncodedString(), iterations: iterations)
        }

        public static func hkdf(salt: [UInt8]) -> KDF {
            KDF(name: "hkdf-sha256", salt: Data(salt).base64EncodedString())
        }

        /// The key-encryption key for `secret`.
        func deriveKEK(from secret: [UInt8]) throws -> SecretKey {
            guard let saltBytes = Data(base64Encoded: salt).map(Array.init) else { throw KeyringError.malformedSlot("salt is not base64") }
            switch name {
            case "hkdf-sha256":
                return try secret.withUnsafeBytes { try KeyDerivation.hkdfSHA256(ikm: $0, salt: saltBytes, info: Array("lifeboat key file".utf8), length: 32) }
            case "scrypt":
                guard let n, let r, let p else { throw KeyringError.malformedSlot("scrypt needs n, r and p") }
                return try KeyDerivation.scrypt(passphrase: secret, salt: saltBytes, n: n, r: r, p: p, length: 32)
            case "pbkdf2-sha256":
                guard let iterations else { throw KeyringError.malformedSlot("pbkdf2-sha256 needs iterations") }
                return try KeyDerivation.pbkdf2SHA256(passphrase: secret, salt: saltBytes, iterations: iterations, length: 32)
            default:
                throw KeyringError.malformedSlot("unknown KDF \(name)")
            }
        }

        /// A description for `key list`: `scrypt N=32768 r=8 p=1`.
        public var summary: String {
            switch name {
            case "scrypt": return "scrypt N=\(n ?? 0) r=\(r ?? 0) p=\(p ?? 0)"
            case "pbkdf2-sha256": return "PBKDF2-HMAC-SHA256 \(iterations ?? 0) iterations"
            default: return "HKDF-SHA256"
            }
        }
    }

    public var id: String
    public var kind: Kind
    public var createdAt: Date
    public var kdf: KDF
    public var nonce: String
    public var wrappedKey: String

    enum CodingKeys: String, CodingKey {
        case id, kind, kdf, nonce
        case createdAt = "created_at"
        case wrappedKey = "wrapped_key"
    }

    public static let directory = "keys/slots/"
    public var objectKey: String { Self.directory + id + ".json" }

    static func aad(repositoryID: String, slotID: String) -> [UInt8] {
        Array("lifeboat key slot v1".utf8) + [0] + Array(repositoryID.utf8) + [0] + Array(slotID.utf8)
    }

    /// Wraps `repositoryKey` under `secret` in a new slot.
    public static func make(kind: Kind, kdf: KDF, secret: [UInt8], repositoryKey: SecretKey, repositoryID: String, now: Date) throws -> KeySlot {
        let id = try SecureRandom.bytes(8).hexString
        let nonce = try SecureRandom.bytes(12)
        let kek = try kdf.deriveKEK(from: secret)
        let wrapped = try AES256GCM.seal(key: kek, nonce: nonce, aad: aad(repositoryID: repositoryID, slotID: id), plaintext: repositoryKey.bytes)
        return KeySlot(id: id, kind: kind, createdAt: now, kdf: kdf, nonce: Data(nonce).base64EncodedString(), wrappedKey: Data(wrapped).base64EncodedString())
    }

    /// The repository key, or nil if `secret` does not open this slot.
    public func unwrap(secret: [UInt8], repositoryID: String) throws -> SecretKey? {
        guard let nonceBytes = Data(base64Encoded: nonce).map(Array.init),
              let wrappedBytes = Data(base64Encoded: wrappedKey).map(Array.init) else {
            throw KeyringError.malformedSlot("slot \(id) is not valid base64")
        }
        let kek = try kdf.deriveKEK(from: secret)
        do {
            var plain = try AES256GCM.open(key: kek, nonce: nonceBytes, aad: Self.aad(repositoryID: repositoryID, slotID: id), sealed: wrappedBytes)
            defer { plain.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
            return SecretKey(plain)
        } catch SealError.authenticationFailed {
            return nil
        }
    }
}
