// swift-tools-version: 6.1
import PackageDescription

// One set of settings for every target: Swift 6 language mode plus the upcoming
// features that keep existential use explicit and imports honest.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// The numeric targets' elementwise loops (GELU, softmax, LayerNorm, optimisers) vectorise
// 8 floats wide with FMA instead of SSE's 4 when compiled for AVX2. fedtune therefore
// needs an x86-64 CPU from 2013 on (Intel Haswell, AMD Zen); other architectures build
// for their own baseline.
//
// They are optimised in debug builds too: the test suite trains CNNs and encoders, which
// unoptimised Swift runs 10–15 times slower, and nobody steps through a convolution's loops.
#if arch(x86_64)
let numericSettings =
    swiftSettings + [.unsafeFlags(["-target-cpu", "haswell"]), .unsafeFlags(["-O"], .when(configuration: .debug))]
#else
let numericSettings = swiftSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]
#endif

let package = Package(
    name: "fedtune",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "fedtune", targets: ["fedtune"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/pointfreeco/swift-clocks", from: "1.1.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "FedSupport",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FedTensor",
            dependencies: [
                "COpenBLAS",
                "FedSupport",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: numericSettings
        ),
        .target(
            name: "FedData",
            dependencies: [
                "FedTensor", "FedSecAgg",
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FedText",
            swiftSettings: swiftSettings
        ),
        // PyTorch checkpoints (.pth, .bin) read without Python: a restricted unpickler.
        .target(
            name: "FedTorch",
            dependencies: [
                "FedSupport",
                "FedTensor", "FedSecAgg",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // Images: NumPy .npz arrays, PNG folders, preprocessing and seeded augmentation.
        .target(
            name: "FedImage",
            dependencies: [
                "FedSupport",
                "FedTensor", "FedSecAgg",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: numericSettings
        ),
        .target(
            name: "FedFetch",
            dependencies: [
                "FedSupport",
                "FedImage",
                "FedTorch",
                "FedTensor", "FedSecAgg",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FedReport",
            dependencies: ["FedSupport"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FedLearning",
            dependencies: [
                "FedSupport",
                "FedTensor", "FedSecAgg",
                "FedImage",
                "FedTorch",
                "FedData",
                "FedText",
                "FedRounds",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: numericSettings
        ),
        .target(
            name: "FedCommands",
            dependencies: [
                "FedLearning", "FedRounds", "FedTensor", "FedData", "FedText", "FedSupport", "FedTorch", "FedImage",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // Secure aggregation (SecAgg+): masking, key agreement and secret sharing, pure.
        .target(
            name: "FedSecAgg",
            dependencies: [
                "FedSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: numericSettings
        ),
        .target(
            name: "FedRounds",
            dependencies: [
                "FedTensor", "FedSecAgg",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FedWire",
            dependencies: [
                "FedSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FedTLS",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        // Metrics (swift-metrics over a Prometheus registry), the status snapshot and page, and
        // the small HTTP listener that serves them beside the coordinator and a site.
        .target(
            name: "FedObserve",
            dependencies: [
                "FedReport", "FedRounds", "FedSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FedCoordinator",
            dependencies: [
                "FedWire", "FedTLS", "FedLearning", "FedData", "FedTensor", "FedRounds", "FedSecAgg", "FedSupport",
                "FedObserve",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FedClient",
            dependencies: [
                "FedWire", "FedTLS", "FedLearning", "FedRounds", "FedData", "FedImage", "FedTensor", "FedSecAgg", "FedSupport",
                "FedObserve",
                // zlib's deflate (through ZIPFoundation) for the gzip of `fedtune certs kit`.
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FedSimulation",
            dependencies: [
                "FedCoordinator", "FedFetch", "FedReport", "FedText", "FedImage", "FedRounds", "FedSecAgg", "FedWire",
                "FedTLS",
                "FedLearning",
                "FedData", "FedTensor", "FedSupport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        // Hyperparameter search over in-process federations: search spaces, TPE, ASHA, trials.
        .target(
            name: "FedSweep",
            dependencies: [
                "FedSimulation", "FedReport", "FedTensor", "FedSupport",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "fedtune",
            dependencies: [
                "FedTensor", "FedSecAgg",
                "FedData",
                "FedLearning",
                "FedCommands",
                "FedSupport",
                "FedTLS",
                "FedCoordinator",
                "FedClient",
                "FedSimulation",
                "FedSweep",
                "FedText",
                "FedFetch",
                "FedReport",
                "FedTorch",
                "FedImage",
                "FedObserve",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["VersionStamp"]
        ),
        // Writes the git commit into the fedtune binary (`fedtune --version`).
        .plugin(name: "VersionStamp", capability: .buildTool()),
        // Helpers the test suites share (repository paths, temporary folders).
        .target(
            name: "FedTestSupport",
            path: "Tests/FedTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedTensorTests",
            dependencies: [
                "FedTestSupport",
                "FedTensor", "FedSupport", .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedRoundsTests",
            dependencies: [
                "FedRounds", "FedSecAgg", "FedTensor", "FedSupport",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedSecAggTests",
            dependencies: ["FedSecAgg", "FedSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedWireTests",
            dependencies: [
                "FedWire", "FedTensor", "FedSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedTLSTests",
            dependencies: [
                "FedTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedFederationTests",
            dependencies: [
                "FedTestSupport",
                "FedFetch", "FedCoordinator", "FedClient", "FedSimulation", "FedRounds", "FedSecAgg", "FedWire", "FedTLS",
                "FedLearning", "FedData", "FedObserve",
                "FedTensor", "FedSupport",
                .product(name: "Clocks", package: "swift-clocks"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedSimulationTests",
            dependencies: [
                "FedTestSupport", "FedImage",
                "FedSimulation", "FedCoordinator", "FedLearning", "FedData", "FedRounds", "FedReport", "FedTensor",
                "FedFetch",
                "FedSupport",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedSweepTests",
            dependencies: ["FedTestSupport", "FedSweep", "FedSimulation", "FedLearning", "FedTensor", "FedSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedTorchTests",
            dependencies: ["FedTestSupport", "FedTorch", "FedTensor", "FedSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedImageTests",
            dependencies: ["FedTestSupport", "FedImage", "FedTensor", "FedSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedTextTests",
            dependencies: ["FedText"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedFetchTests",
            dependencies: ["FedFetch", "FedImage"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedReportTests",
            dependencies: ["FedReport", "FedTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "FedTestSupport","FedLearning", "FedCommands", "FedText", "FedTensor", "FedFetch", "FedSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedDataTests",
            dependencies: ["FedData", "FedTensor"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FedLearningTests",
            dependencies: [
                "FedTestSupport", "FedLearning", "FedCommands", "FedData", "FedTensor", "FedText", "FedFetch", "FedSupport",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
