import Foundation

/// `repository.json`, the only plaintext object besides the key slots: what
/// this repository is. Written last by `init`, so its presence means the
/// repository exists and has keys.
///
/// ```json
/// {"format": "lifeboat-repository", "version": 1, "id": "…uuid…",
///  "created_at": "2026-11-22T00:00:00Z", "chunk_size_log2": 20}
/// ```
public struct RepositoryHeader: Codable, Sendable, Equatable {
    public static let key = "repository.json"
    public static let formatName = "lifeboat-repository"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    /// Random identity; key slots are bound to it.
    public var id: String
    public var createdAt: Date
    /// Chunk size of sealed objects written here (log2). New repositories
    /// use 18 (256 KiB): every reader and writer of a sealed object holds one
    /// chunk, and a larger one is no faster. Repositories made with 20 (1 MiB)
    /// keep it; readers follow each object's own header.
    public var chunkSizeLog2: UInt8

    enum CodingKeys: String, CodingKey {
        case format, version, id
        case createdAt = "created_at"
        case chunkSizeLog2 = "chunk_size_log2"
    }

    public init(id: String, createdAt: Date, chunkSizeLog2: UInt8 = 18) {
        format = Self.formatName
        version = Self.currentVersion
        self.id = id
        self.createdAt = createdAt
        self.chunkSizeLog2 = chunkSizeLog2
    }
}

/// JSON as lifeboat writes it on disk: sorted keys, RFC 3339 UTC times.
public enum RepositoryJSON {
    /// Times are RFC 3339 UTC with microseconds (`2026-11-22T02:00:00.123456Z`);
    /// reading also accepts whole seconds.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(date))
        }
        return Array(try encoder.encode(value)) + [0x0a]
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.date(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 time: \(text)")
            }
            return date
        }
        return try decoder.decode(type, from: Data(bytes))
    }
}
