// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "lifeboat",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lifeboat", targets: ["lifeboat"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // C libraries from Debian, one system-library target each.
        .systemLibrary(name: "CLibArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libarchive's own zstd, called directly where whole frames of known size are compressed.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

        // Wrappers: the only modules that import C.
        .target(name: "CProcessSupport"),
        // libpq, loaded when a command first connects (see its header).
        .target(name: "CLibPQ"),
        .target(name: "CFileSupport"),
        .target(name: "ExternalProgram", dependencies: ["CProcessSupport"]),
        .target(name: "Postgres", dependencies: ["CLibPQ", "ExternalProgram"]),
        .target(name: "Archive", dependencies: ["CLibArchive", "CZstd"]),
        .target(name: "Seal", dependencies: ["COpenSSL"]),

        // Streaming stages and storage.
        .target(name: "Pipeline", dependencies: ["Archive", "Seal"]),
        .target(name: "Repository", dependencies: ["Pipeline", "Seal", "CFileSupport"]),
        // The S3 backend: its own module so the HTTP stack stays out of everything below the engine.
        .target(
            name: "S3",
            dependencies: [
                "Repository", "Seal",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),

        // The domain.
        .target(
            name: "LifeboatEngine",
            dependencies: ["Repository", "S3", "Pipeline", "Postgres", "Archive", "Seal", "ExternalProgram", "CFileSupport", "Yams"]
        ),

        // The command line.
        .target(
            name: "LifeboatCLI",
            dependencies: ["LifeboatEngine", "S3", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "lifeboat", dependencies: ["LifeboatCLI", "CProcessSupport"]),
        // In-memory throughput of the sealed format, for ci/seal-throughput.
        .executableTarget(name: "lifeboat-seal-bench", dependencies: ["Pipeline", "Seal"]),

        // Test support: a throwaway PostgreSQL per suite, a moto S3 server and a fault-injecting
        // proxy, the storage suite every backend passes, the built binary, temporary directories.
        .target(name: "LifeboatTestSupport", dependencies: ["Postgres", "ExternalProgram", "Repository", "S3"], path: "Tests/LifeboatTestSupport"),

        .testTarget(name: "SealTests", dependencies: ["Seal"]),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive", "LifeboatTestSupport"]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "ExternalProgram", "LifeboatTestSupport"]),
        .testTarget(name: "RepositoryTests", dependencies: ["Repository", "Pipeline", "Seal", "ExternalProgram", "LifeboatTestSupport"]),
        .testTarget(name: "S3Tests", dependencies: ["S3", "Repository", "Seal", "LifeboatTestSupport"]),
        // Expected/ holds the expected output of `lifeboat schedule`, read at run time.
        .testTarget(name: "EngineTests", dependencies: ["LifeboatEngine", "LifeboatTestSupport"], exclude: ["Expected"]),
        .testTarget(name: "CommandLineTests", dependencies: ["lifeboat", "LifeboatTestSupport", "LifeboatEngine", "Repository", "Pipeline", "Archive", "ExternalProgram"]),
    ],
    swiftLanguageModes: [.v6]
)
