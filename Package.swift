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
    ],
    targets: [
        // Lua 5.4 from the system (Debian: liblua5.4-dev); used by ArgoLua only.
        .systemLibrary(
            name: "CLua",
            pkgConfig: "lua5.4",
            providers: [.apt(["liblua5.4-dev"])]
        ),
        // The safe Lua layer: states, values, sandbox, limits, errors, JSON, pool.
        .target(name: "ArgoLua", dependencies: ["CLua"]),
        // Loading and validating plugin files.
        .target(name: "ArgoPlugins", dependencies: ["ArgoLua"]),
        // The `argo` command.
        .executableTarget(
            name: "ArgoCLI",
            dependencies: [
                "ArgoPlugins",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `make bench-lua`: JSON→Lua decoding micro benchmark (not a test).
        .executableTarget(
            name: "ArgoLuaBench",
            dependencies: ["ArgoLua"],
            path: "Benchmarks/ArgoLuaBench"
        ),
        .testTarget(name: "ArgoLuaTests", dependencies: ["ArgoLua"]),
        .testTarget(name: "ArgoPluginsTests", dependencies: ["ArgoPlugins"]),
    ],
    swiftLanguageModes: [.v6]
)
