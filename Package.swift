// swift-tools-version:6.2
import PackageDescription

/// Every target of ours builds in Swift 6 language mode with strict concurrency, and a warning
/// fails the build.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "eshop-on-swift",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RedisClient", targets: ["RedisClient"]),
        .library(name: "ServiceDefaults", targets: ["ServiceDefaults"]),
        .library(name: "StateClient", targets: ["StateClient"]),
        .library(name: "StateStores", targets: ["StateStores"]),
        .library(name: "EventBus", targets: ["EventBus"]),
        .executable(name: "AppHost", targets: ["AppHost"]),
        .executable(name: "StateSidecar", targets: ["StateSidecar"]),
        .executable(name: "EventsAdmin", targets: ["EventsAdmin"]),
        .executable(name: "Identity", targets: ["Identity"]),
        .executable(name: "Catalog", targets: ["Catalog"]),
        .executable(name: "Basket", targets: ["Basket"]),
        .executable(name: "Ordering", targets: ["Ordering"]),
        .executable(name: "Payment", targets: ["Payment"]),
        .executable(name: "Benchmarks", targets: ["Benchmarks"]),
        .library(name: "StateFolder", targets: ["StateFolder"]),
        .library(name: "Embeddings", targets: ["Embeddings"]),
        .executable(name: "ModelStore", targets: ["ModelStore"]),
        .executable(name: "ModelWorker", targets: ["ModelWorker"]),
        .executable(name: "WebApp", targets: ["WebApp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "CommandLineArguments"]),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2", traits: []),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", exact: "2.9.2"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // OTLP over HTTP only (the collector takes both): the gRPC exporter would only add build time.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // MARK: Shared
        .systemLibrary(
            name: "CHiredis",
            path: "Shared/CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"]), .brew(["hiredis"])]
        ),
        .target(
            name: "RedisClient",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "CHiredis",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/RedisClient",
            swiftSettings: strict
        ),
        .target(
            name: "StateClient",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/StateClient",
            swiftSettings: strict
        ),
        .target(
            name: "StateStores",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "StateClient",
                "RedisClient",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/StateStores",
            swiftSettings: strict
        ),
        .target(
            name: "EventBus",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "RedisClient",
                "StateClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/EventBus",
            swiftSettings: strict
        ),
        .target(
            name: "ServiceDefaults",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "EventBus",
                .product(name: "Subprocess", package: "swift-subprocess"),
                "StateClient",
                "StateStores",
                "RedisClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            ],
            path: "Shared/ServiceDefaults",
            swiftSettings: strict
        ),

        // MARK: Services
        .executableTarget(
            name: "AppHost",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                "ServiceDefaults",
                "RedisClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Services/AppHost",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "StateSidecar",
            dependencies: [
                "ServiceDefaults",
                "StateClient",
                "StateStores",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Services/StateSidecar",
            // The .proto the committed Generated/ code comes from (scripts/generate-grpc).
            exclude: ["Proto"],
            resources: [.copy("openapi.yaml")],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "EventsAdmin",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "EventBus",
                "RedisClient",
                "ServiceDefaults",
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            path: "Services/EventsAdmin",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "Identity",
            dependencies: [
                "StateClient",
                "ServiceDefaults",
                "StateStores",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/Identity",
            resources: [.copy("openapi.yaml")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "Catalog",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "ServiceDefaults",
                "EventBus",
                "RedisClient",
                "StateClient",
                "StateStores",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/Catalog",
            resources: [.copy("openapi.yaml")],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "Basket",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "ServiceDefaults",
                "StateClient",
                "StateStores",
                "EventBus",
                "RedisClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Basket",
            resources: [.copy("openapi.yaml")],
            swiftSettings: strict
        ),

        .executableTarget(
            name: "Ordering",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "ServiceDefaults",
                "StateClient",
                "StateStores",
                "EventBus",
                "RedisClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/Ordering",
            resources: [.copy("openapi.yaml")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "Payment",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "ServiceDefaults",
                "StateClient",
                "StateStores",
                "EventBus",
                "RedisClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/Payment",
            resources: [.copy("openapi.yaml")],
            swiftSettings: strict
        ),

        // MARK: Model worker (state folder, model cache, keyed stream state)
        .target(
            name: "StateFolder",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "EventBus",
                "RedisClient",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/StateFolder",
            swiftSettings: strict
        ),
        // MARK: Embeddings (sentence embeddings in Swift over a BLAS)
        .systemLibrary(
            name: "COpenBLAS",
            path: "Shared/COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "Embeddings",
            dependencies: [
                // Accelerate on Apple platforms (`#if canImport(Accelerate)` in BLAS.swift).
                .target(name: "COpenBLAS", condition: .when(platforms: [.linux])),
            ],
            path: "Shared/Embeddings",
            // Accelerate's current CBLAS interface (the older one is deprecated, and warnings fail
            // the build).
            swiftSettings: strict + [.unsafeFlags(["-Xcc", "-DACCELERATE_NEW_LAPACK"], .when(platforms: [.macOS]))]
        ),
        .executableTarget(
            name: "ModelStore",
            dependencies: [
                "ServiceDefaults",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/ModelStore",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ModelWorker",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                "ServiceDefaults",
                "StateFolder",
                "EventBus",
                "RedisClient",
                "StateClient",
                "StateStores",
                "Embeddings",
                "VectorIndex",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Services/ModelWorker",
            resources: [.copy("all-MiniLM-L6-v2.manifest.json"), .copy("openapi.yaml")],
            swiftSettings: strict
        ),
        // MARK: Semantic search (the catalog index's vectors, ranked through the BLAS)
        .target(
            name: "VectorIndex",
            dependencies: [
                // Accelerate on Apple platforms (`#if canImport(Accelerate)`), as Embeddings.
                .target(name: "COpenBLAS", condition: .when(platforms: [.linux]))
            ],
            path: "Shared/VectorIndex",
            swiftSettings: strict + [.unsafeFlags(["-Xcc", "-DACCELERATE_NEW_LAPACK"], .when(platforms: [.macOS]))]
        ),

        // MARK: Storefront
        .executableTarget(
            name: "WebApp",
            dependencies: [
                "ServiceDefaults",
                "StateClient",
                "StateStores",
                "RedisClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/WebApp",
            // Mustache templates and the static CSS/JS, read from the bundle at start.
            resources: [.copy("Templates"), .copy("Public")],
            swiftSettings: strict
        ),

        // MARK: Benchmarks
        .executableTarget(
            name: "Benchmarks",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                "RedisClient",
                "ServiceDefaults",
                "StateClient",
                "StateStores",
                "EventBus",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                "StateFolder",
                "Embeddings",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "VectorIndex",
            ],
            path: "Benchmarks",
            swiftSettings: strict
        ),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                "RedisClient",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                "ServiceDefaults",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "RedisClientTests",
            dependencies: [
                "RedisClient",
                "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ServiceDefaultsTests",
            dependencies: [
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                "StateClient",
                "ServiceDefaults",
                "RedisClient",
                "TestSupport",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StateClientTests",
            dependencies: [
                "StateClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StateStoresTests",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                "StateStores",
                "StateClient",
                "RedisClient",
                "TestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StateSidecarTests",
            dependencies: [
                "TestSupport",
                "StateSidecar",
                "StateClient",
                "StateStores",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "EventBusProbe",
            dependencies: [
                "EventBus",
                "RedisClient",
                "StateClient",
                "StateStores",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/EventBusProbe",
            swiftSettings: strict
        ),
        .testTarget(
            name: "EventBusTests",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                "EventBus",
                "EventBusProbe",
                "EventsAdmin",
                "RedisClient",
                "StateClient",
                "StateStores",
                "TestSupport",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "IdentityTests",
            dependencies: [
                "Identity",
                "ServiceDefaults",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CatalogTests",
            dependencies: [
                "StateClient",
                "Catalog",
                "ServiceDefaults",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "BasketTests",
            dependencies: [
                "Basket",
                "EventBus",
                "ServiceDefaults",
                "StateClient",
                "StateStores",
                "RedisClient",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OrderingTests",
            dependencies: [
                "Ordering",
                "EventBus",
                "ServiceDefaults",
                "StateClient",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PaymentTests",
            dependencies: [
                "Payment",
                "EventBus",
                "StateClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                "TestSupport",
                "StateClient",
                "RedisClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StateFolderTests",
            dependencies: [
                "StateFolder",
                "ModelStore",
                "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ModelWorkerTests",
            dependencies: [
                "ModelWorker",
                "ServiceDefaults",
                .product(name: "Hummingbird", package: "hummingbird"),
                "ModelStore",
                "StateFolder",
                "EventBus",
                "RedisClient",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EmbeddingsTests",
            dependencies: ["Embeddings", "TestSupport"],
            // The reference vectors (scripts/embeddings-reference, docs/semantic-search.md).
            resources: [.copy("reference-vectors.json")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "WebAppTests",
            dependencies: [
                "WebApp",
                "StateClient",
                "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "VectorIndexTests",
            dependencies: ["VectorIndex"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AppHostTests",
            dependencies: [
                "AppHost",
                "TestSupport",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strict
        ),
    ]
)
