/// A compression filter applied to the whole archive stream.
public struct Compression: Sendable, Equatable, CustomStringConvertible {
    /// The algorithms lifeboat writes. Reading detects any of them automatically.
    public enum Algorithm: String, Sendable, CaseIterable {
        case none, gzip, lz4, xz, zstd

        /// The levels the algorithm accepts, for validating policies.
        public var levels: ClosedRange<Int> {
            switch self {
            case .none: return 0...0
            case .gzip: return 1...9
            case .lz4: return 1...9
            case .xz: return 0...9
            case .zstd: return 1...19
            }
        }

        /// The level used when the policy names none.
        public var defaultLevel: Int {
            switch self {
            case .none: return 0
            case .gzip: return 6
            case .lz4: return 1
            case .xz: return 6
            case .zstd: return 3
            }
        }
    }

    public var algorithm: Algorithm
    public var level: Int
    /// Worker threads for compressors that support them (zstd, xz); 0 means one.
    public var threads: Int

    public init(_ algorithm: Algorithm, level: Int? = nil, threads: Int = 0) {
        self.algorithm = algorithm
        self.level = level ?? algorithm.defaultLevel
        self.threads = threads
    }

    public static let none = Compression(.none)

    public var description: String {
        algorithm == .none ? "none" : "\(algorithm.rawValue) level \(level)"
    }
}

/// The container around the compressed data.
public enum ArchiveFormat: Sendable {
    /// pax tar: many entries, each with its size known up front.
    case tar
    /// One stream of unknown length, just compressed: for program output such
    /// as `pg_dump`, whose size is known only at its end.
    case raw
}
