@testable import ArgoEngine
import ArgoFetch
import ArgoLua
@testable import ArgoPlugins
import ArgoSimulator
import Foundation

/// The repository's directories, found from this file.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var plugins: String { root.appendingPathComponent("plugins").path }
    static var consensus: String { root.appendingPathComponent("Config/consensus.lua").path }
}

/// Placeholder keys for every source.
let testEnvironment = [
    "APCA_API_KEY_ID": "key-id-1234", "APCA_API_SECRET_KEY": "alpaca-secret-9876", "POLYGON_API_KEY": "massive-key-5555",
    "ALPHAVANTAGE_API_KEY": "av-key-4321", "XAI_API_KEY": "xai-key-8765", "PERPLEXITY_API_KEY": "pplx-key-1357",
]

/// A writable temporary directory, removed afterwards.
func withTemporaryDirectory<R>(_ body: (URL) async throws -> R) async throws -> R {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("argo-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
}

/// An engine over the shipped plugins, pointed at a simulator, both shut down afterwards.
func withEngine<R>(
    yaml: String = "", consensusPath: String = Repo.consensus, pluginsDir: String = Repo.plugins,
    environment: [String: String] = testEnvironment, knobs: [SimulatedRoute: RouteKnobs] = [:],
    grants: [String: [String]] = [:],
    _ body: (SignalEngine, Simulator) async throws -> R
) async throws -> R {
    // The vendors' free-plan limits (Alpha Vantage: 5 a minute) would make tests wait; lift them.
    // A test's own plugin reads a variable only when granted it, as a user's would.
    let limits = "sources:\n  alpha_vantage: { rate_limit: { requests: 600 } }\n  massive: { rate_limit: { requests: 600 } }\n"
        + grants.map { "  \($0.key): { grant: { env: [\($0.value.joined(separator: ", "))] } }\n" }.joined()
    let config = try ArgoConfig(file: try ConfigFile(yaml: yaml.contains("sources:") ? yaml : limits + yaml, path: "test.yaml", environment: [:]))
    let simulator = try await Simulator.start(scenario: SimulatorScenario(routes: knobs))
    let transport = HTTPTransport(configuration: config.transportConfiguration)
    do {
        let host = try PluginHost(directory: try PluginDirectory(path: pluginsDir), consensusPath: consensusPath, poolSize: 2)
        let sources = try SourceSetup.all(plugins: host.plugins, config: config, consensus: host.consensus,
                                          environment: environment, baseURLOverride: simulator.baseURL)
        let engine = SignalEngine(config: config, host: host, fetcher: Fetcher(transport: transport), sources: sources)
        let result = try await body(engine, simulator)
        try await transport.shutdown()
        try await simulator.shutdown()
        return result
    } catch {
        try? await transport.shutdown()
        try? await simulator.shutdown()
        throw error
    }
}

func knobs(_ change: (inout RouteKnobs) -> Void) -> RouteKnobs {
    var knobs = RouteKnobs()
    change(&knobs)
    return knobs
}
