// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Argo",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "argo", targets: ["ArgoCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.40.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // Lua 5.4 from the system (Debian: liblua5.4-dev); used by ArgoLua only.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // zlib from the system (Debian: zlib1g-dev): Argo's HTTP/1.1 client inflates gzip and deflate bodies.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // The C code Lua calls back: allocator, budget and time limit, trampoline, bounded library functions.
        .target(name: "CLuaGuard", dependencies: ["CLua"]),
        // Value types every layer shares: bars, signals, regime, indicators, requests and responses, failures, the cycle report.
        .target(name: "ArgoCore"),
        // The arithmetic: indicators, regime detection, the consensus vote.
        .target(name: "ArgoAnalytics", dependencies: ["ArgoCore"]),
        // The safe Lua layer: states, values, sandbox, limits, errors, JSON, pool.
        .target(name: "ArgoLua", dependencies: ["CLua", "CLuaGuard", "ArgoJSONScan", "CJSONScan"]),
        // Scanning JSON without decoding it: word-at-a-time tests, and pruning a body to its first entries as it arrives.
        .target(name: "ArgoJSONScan", dependencies: ["CJSONScan"]),
        // The one C loop: skipping JSON strings and brackets 64 bytes at a time (SSE2 where available).
        .target(name: "CJSONScan"),
        // glibc's arena limit, set by a constructor before main (a service's allocator tuning).
        .target(name: "CHeapTuning"),
        // Plugin files: loading and validating them, calling request/parse/signal/combine in pooled Lua states, their examples.
        .target(name: "ArgoPlugins", dependencies: ["ArgoCore", "ArgoLua"]),
        // The fetch core: the HTTP client (Argo's HTTP/1.1 on SwiftNIO), retries, rate limits, cache, coalescing, breaker.
        .target(
            name: "ArgoFetch",
            dependencies: [
                "ArgoCore", "ArgoJSONScan", "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // One cycle: fan-out over symbols, the market-data chain, independent sources, the deadline; settings and sources.
        .target(
            name: "ArgoEngine",
            dependencies: [
                "ArgoCore", "ArgoAnalytics", "ArgoPlugins", "ArgoFetch",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Signal history: cycles, signals and source results in SQLite (WAL), one transaction per cycle.
        .target(
            name: "ArgoStore",
            dependencies: ["ArgoCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Running for real: building the engine from files, hot reload, the cycle loop, metrics and logs.
        .target(
            name: "ArgoService",
            dependencies: [
                "ArgoCore", "ArgoEngine", "ArgoStore", "ArgoFetch", "ArgoPlugins", "CHeapTuning",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The upstream simulator: the six vendor APIs on loopback, with knobs and counters; TLS with a throw-away CA, HTTP/2.
        .target(
            name: "ArgoSimulator",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The `argo` command.
        .executableTarget(
            name: "ArgoCLI",
            dependencies: [
                "ArgoCore",
                "ArgoAnalytics",
                "ArgoPlugins",
                "ArgoEngine",
                "ArgoFetch",
                "ArgoSimulator",
                "ArgoStore",
                "ArgoService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `make bench-lua`: JSON→Lua decoding micro benchmark (not a test).
        .executableTarget(
            name: "ArgoLuaBench",
            dependencies: ["ArgoLua", "ArgoJSONScan"],
            path: "Benchmarks/ArgoLuaBench"
        ),
        // `make bench-fetch`: client CPU per request through the fetch core (not a test).
        .executableTarget(
            name: "ArgoFetchBench",
            dependencies: ["ArgoCore", "ArgoFetch"],
            path: "Benchmarks/ArgoFetchBench"
        ),
        // `make bench`: the seed's "before" against Argo on the seed's latency profile (not a test).
        .executableTarget(
            name: "ArgoBench",
            dependencies: ["ArgoCore", "ArgoAnalytics", "ArgoEngine", "ArgoFetch", "ArgoPlugins", "ArgoService", "ArgoSimulator"],
            path: "Benchmarks/ArgoBench"
        ),
        .testTarget(name: "ArgoAnalyticsTests", dependencies: ["ArgoAnalytics", "ArgoCore", "ArgoSimulator"]),
        .testTarget(name: "ArgoLuaTests", dependencies: ["ArgoLua"]),
        .testTarget(name: "ArgoJSONScanTests", dependencies: ["ArgoJSONScan", "CJSONScan"]),
        .testTarget(name: "ArgoPluginsTests", dependencies: ["ArgoCore", "ArgoLua", "ArgoPlugins"]),
        .testTarget(name: "ArgoSimulatorTests", dependencies: ["ArgoSimulator"]),
        .testTarget(name: "ArgoEngineTests", dependencies: ["ArgoCore", "ArgoAnalytics", "ArgoEngine", "ArgoFetch", "ArgoLua", "ArgoPlugins", "ArgoSimulator"]),
        .testTarget(
            name: "ArgoFetchTests",
            dependencies: [
                "ArgoCore", "ArgoFetch", "ArgoSimulator",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "ArgoStoreTests", dependencies: ["ArgoCore", "ArgoStore", "ArgoEngine", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "ArgoServiceTests",
            dependencies: [
                "ArgoCore", "ArgoService", "ArgoStore", "ArgoEngine", "ArgoFetch", "ArgoPlugins", "ArgoSimulator",
                .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
