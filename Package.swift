// swift-tools-version: 6.1
import PackageDescription

/// callback-stream: a Kafka stream processor for Genesys Widgets Callback interaction lifecycles.
///
/// Module map:
/// - `CRdKafka`: the system librdkafka (headers `rdkafka.h` and `rdkafka_mock.h`).
/// - `Kafka`: the only module that touches the C API (producer, consumer, mock cluster).
/// - `CallbackStreamCore`: pure Swift domain logic (decoding, state machine, sessions, windows,
///   encoding); no I/O and no librdkafka.
/// - `CallbackStreamService`: the long-running processor: configuration, the poll loop that wires
///   Kafka to the core, delivery bookkeeping and commits, metrics and the HTTP endpoints.
/// - `CallbackTraffic`: deterministic, realistic lifecycle traffic with a ground-truth report.
/// - `callback-stream`: the command-line executable (broker, run, generate, demo).
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "callback-stream",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "callback-stream", targets: ["callback-stream"]),
        // The pure core as a library, so that `Fuzz/` (a separate package) can depend on it.
        .library(name: "CallbackStreamCore", targets: ["CallbackStreamCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "CallbackStreamCore",
            swiftSettings: strict
        ),
        .target(
            name: "CallbackTraffic",
            swiftSettings: strict
        ),
        .target(
            name: "CallbackStreamService",
            dependencies: [
                "Kafka",
                "CallbackStreamCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "FlyingFox", package: "FlyingFox"),
                .product(name: "FlyingSocks", package: "FlyingFox"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // The dashboard page, compiled into the module as bytes (`PackageResources`).
            resources: [.embedInCode("Resources/dashboard.html")],
            swiftSettings: strict
        ),
        // Throughput of the core (decode, state, encode): `swift run -c release CoreBenchmark`.
        .executableTarget(
            name: "CoreBenchmark",
            dependencies: ["CallbackStreamCore", "CoreBenchmarkSupport", "CallbackTraffic"],
            path: "Benchmarks/CoreBenchmark",
            swiftSettings: strict
        ),
        // Allocation counting / heap statistics for CoreBenchmark only.
        .target(
            name: "CoreBenchmarkSupport",
            path: "Benchmarks/CoreBenchmarkSupport"
        ),
        .executableTarget(
            name: "callback-stream",
            dependencies: [
                "Kafka",
                "CallbackStreamCore",
                "CallbackStreamService",
                "CallbackTraffic",
                "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(
            name: "CMalloc",
            path: "Sources/CMalloc"
        ),
        .executableTarget(
            name: "SessionBenchmark",
            dependencies: ["CallbackStreamCore", "CMalloc"],
            path: "Benchmarks/SessionBenchmark",
            swiftSettings: strict
        ),
        // What every test target shares: `eventually`, the seeded random source, `SpawnedProcess`.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["TestSupport", "Kafka"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CallbackStreamTests",
            // Runs the built `callback-stream` binary as a separate process; the dependency makes
            // SwiftPM build it before the tests.
            dependencies: ["TestSupport", "callback-stream", "CallbackTraffic", "CallbackStreamCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CallbackStreamCoreTests",
            dependencies: ["TestSupport", "CallbackStreamCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CallbackStreamServiceTests",
            dependencies: [
                "TestSupport", "CallbackStreamService", "Kafka",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CallbackTrafficTests",
            dependencies: ["TestSupport", "CallbackTraffic"],
            swiftSettings: strict
        ),
    ]
)
