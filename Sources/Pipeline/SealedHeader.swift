import Seal

/// The plaintext header at the start of every sealed object.
///
/// Layout (55 bytes, integers big-endian):
///
/// | offset | size | field |
/// |---|---|---|
/// | 0  | 8  | magic `LIFEBOAT` (ASCII) |
/// | 8  | 1  | format version, 1 |
/// | 9  | 1  | algorithm, 1 = AES-256-GCM STREAM with HKDF-SHA256 object keys |
/// | 10 | 1  | log2 of the chunk size (20 = 1 MiB) |
/// | 11 | 1  | reserved, 0 |
/// | 12 | 4  | key generation (0 = the keyring itself, sealed under the repository key) |
/// | 16 | 32 | object salt, random |
/// | 48 | 7  | nonce prefix, random |
///
/// The whole header is the additional authenticated data of every chunk, so any
/// edit to it fails authentication.
public struct SealedHeader: Sendable, Equatable {
    public static let magic = Array("LIFEBOAT".utf8)
    public static let version: UInt8 = 1
    public static let algorithmAES256GCMStream: UInt8 = 1
    public static let length = 55
    public static let saltLength = 32
    public static let noncePrefixLength = 7
    /// Chunk sizes a reader accepts: 4 KiB to 16 MiB.
    public static let chunkSizeLog2Range: ClosedRange<UInt8> = 12...24

    public var chunkSizeLog2: UInt8
    public var generation: UInt32
    public var salt: [UInt8]
    public var noncePrefix: [UInt8]

    public var chunkSize: Int { 1 << Int(chunkSizeLog2) }

    /// A header with fresh random salt and nonce prefix.
    public static func random(generation: UInt32, chunkSizeLog2: UInt8 = 20) throws -> SealedHeader {
        SealedHeader(chunkSizeLog2: chunkSizeLog2, generation: generation,
                     salt: try SecureRandom.bytes(saltLength), noncePrefix: try SecureRandom.bytes(noncePrefixLength))
    }

    public init(chunkSizeLog2: UInt8, generation: UInt32, salt: [UInt8], noncePrefix: [UInt8]) {
        self.chunkSizeLog2 = chunkSizeLog2
        self.generation = generation
        self.salt = salt
        self.noncePrefix = noncePrefix
    }

    public var bytes: [UInt8] {
        var out = Self.magic
        out += [Self.version, Self.algorithmAES256GCMStream, chunkSizeLog2, 0]
        out += withUnsafeBytes(of: generation.bigEndian, Array.init)
        out += salt
        out += noncePrefix
        return out
    }

    /// Parses a header; `object` names the object in errors.
    public init(parsing bytes: [UInt8], object: String) throws {
        guard bytes.count == Self.length, Array(bytes[0..<8]) == Self.magic else {
            throw SealedObjectError.notSealed(object: object)
        }
        guard bytes[8] == Self.version, bytes[9] == Self.algorithmAES256GCMStream, bytes[11] == 0 else {
            throw SealedObjectError.unsupportedFormat(object: object, version: bytes[8], algorithm: bytes[9])
        }
        guard Self.chunkSizeLog2Range.contains(bytes[10]) else {
            throw SealedObjectError.unsupportedFormat(object: object, version: bytes[8], algorithm: bytes[9])
        }
        chunkSizeLog2 = bytes[10]
        generation = bytes[12..<16].reduce(0) { $0 << 8 | UInt32($1) }
        salt = Array(bytes[16..<48])
        noncePrefix = Array(bytes[48..<55])
    }

    /// The 12-byte nonce of chunk `index`: prefix ‖ counter (4 bytes, big-endian) ‖ last flag (1 byte).
    func nonce(chunk index: UInt32, last: Bool) -> [UInt8] {
        noncePrefix + withUnsafeBytes(of: index.bigEndian, Array.init) + [last ? 1 : 0]
    }
}

/// Supplies per-object keys: HKDF-SHA256 of the generation's master key with
/// the object's salt and its name (see `ObjectKeyDerivation`).
public protocol ObjectKeyProvider: Sendable {
    /// The key generation new objects are sealed with.
    var currentGeneration: UInt32 { get }
    /// The key for one object, or a `SealedObjectError` for an unknown or retired generation.
    func objectKey(generation: UInt32, salt: [UInt8], object: String) throws -> SecretKey
}

/// How an object's key is derived from its generation's master key:
/// `HKDF-SHA256(ikm: master, salt: object salt, info: "lifeboat object v1" ‖ 0x00 ‖ object name, 32 bytes)`.
/// Binding the name means an object moved or copied to another name no longer
/// authenticates.
public enum ObjectKeyDerivation {
    public static let infoLabel = "lifeboat object v1"

    public static func derive(master: SecretKey, salt: [UInt8], object: String) throws -> SecretKey {
        try KeyDerivation.hkdfSHA256(key: master, salt: salt, info: Array(infoLabel.utf8) + [0] + Array(object.utf8), length: 32)
    }
}
