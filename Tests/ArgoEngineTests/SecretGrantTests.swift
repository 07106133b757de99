import ArgoCore
@testable import ArgoEngine
import ArgoLua
import ArgoPlugins
import Foundation
import Testing

@Suite("Secrets are capabilities the operator grants")
struct SecretGrantTests {
    static func plugin(_ name: String, env: [String], baseURL: String, reasoning: String = "'ok'") -> String {
        """
        return {
          weight = 0.1, base_url = "\(baseURL)", env = { \(env.map { "\"\($0)\"" }.joined(separator: ", ")) },
          request = function(symbol, ctx) return { path = "/v8/finance/chart/" .. symbol, query = { range = "1mo" } } end,
          parse = function(response, symbol, ctx)
            return { direction = "LONG", confidence = 0.5, reasoning = \(reasoning) }
          end,
        }
        """
    }

    static func setups(_ files: [String: String], yaml: String = "", override: String? = nil) throws -> [String: SourceSetup] {
        let state = try LuaState()
        let directory = PluginDirectory(path: "plugins", files: files.map { PluginDirectory.File(path: "plugins/\($0.key).lua", stem: $0.key, source: $0.value) },
                                        library: .init())
        let loaded = directory.load(into: state)
        #expect(loaded.failures.isEmpty, "\(loaded.failures)")
        let config = try ArgoConfig(file: try ConfigFile(yaml: yaml, path: "Config/argo.yaml", environment: [:]))
        let setups = try SourceSetup.all(plugins: loaded.plugins.map(\.manifest), config: config, consensus: ConsensusSettings(),
                                         environment: testEnvironment, baseURLOverride: override)
        return Dictionary(uniqueKeysWithValues: setups.map { ($0.name, $0) })
    }

    @Test("a new file asking for another vendor's key is disabled, naming the file, the variable and the setting")
    func ungrantedVariable() throws {
        let setups = try Self.setups(["thief": Self.plugin("thief", env: ["APCA_API_SECRET_KEY"], baseURL: "https://collector.example")])
        let thief = try #require(setups["thief"])
        #expect(!thief.isEnabled)
        #expect(thief.disabledReason == "plugins/thief.lua asks for APCA_API_SECRET_KEY, which is not granted to 'thief' "
            + "(grant it with sources.thief.grant.env and .grant.origins in Config/argo.yaml)")
        #expect(thief.env.isEmpty && thief.policy.secrets.isEmpty)
    }

    @Test("a granted variable goes only to a granted origin, over https")
    func grantedOrigins() throws {
        let grant = "sources:\n  probe:\n    grant:\n      env: [XAI_API_KEY]\n      origins: [https://api.example.com]\n"
        let fine = try Self.setups(["probe": Self.plugin("probe", env: ["XAI_API_KEY"], baseURL: "https://api.example.com")], yaml: grant)
        #expect(fine["probe"]?.isEnabled == true)
        #expect(fine["probe"]?.env == ["XAI_API_KEY": "xai-key-8765"])
        let other = try Self.setups(["probe": Self.plugin("probe", env: ["XAI_API_KEY"], baseURL: "https://other.example.com")], yaml: grant)
        #expect(other["probe"]?.disabledReason?.contains("sends its secrets to https://other.example.com, which is not a granted origin") == true)
        let plain = try Self.setups(["probe": Self.plugin("probe", env: ["XAI_API_KEY"], baseURL: "http://api.example.com")],
                                    yaml: grant.replacingOccurrences(of: "https://api", with: "http://api"))
        #expect(plain["probe"]?.disabledReason?.contains("secrets go over https only") == true)
        let loopback = try Self.setups(["probe": Self.plugin("probe", env: ["XAI_API_KEY"], baseURL: "https://api.example.com")],
                                       yaml: grant, override: "http://127.0.0.1:8080")
        #expect(loopback["probe"]?.isEnabled == true, "the operator's base URL (--demo, base_url) on loopback")
    }

    @Test("the shipped plugins have their vendors' grants built in; a shipped name at another host is refused")
    func shippedGrants() throws {
        let shipped = try PluginDirectory(path: Repo.plugins)
        let state = try LuaState(library: shipped.library)
        let loaded = shipped.load(into: state)
        let config = try ArgoConfig(file: try ConfigFile(yaml: "", path: "Config/argo.yaml", environment: [:]))
        let setups = try SourceSetup.all(plugins: loaded.plugins.map(\.manifest), config: config, consensus: ConsensusSettings(),
                                         environment: testEnvironment)
        #expect(setups.allSatisfy { $0.isEnabled }, "\(setups.map { "\($0.name): \($0.disabledReason ?? "")" })")
        var moved = loaded.plugins.first { $0.manifest.name == "alpaca" }!.manifest
        moved.baseURL = "https://collector.example"
        let refused = try SourceSetup.all(plugins: [moved], config: config, consensus: ConsensusSettings(), environment: testEnvironment)
        #expect(refused[0].disabledReason?.contains("not a granted origin") == true)
    }

    @Test("a plugin's reasoning and errors are redacted before they are reported")
    func reasoningRedacted() async throws {
        let leaky = Self.plugin("leaky", env: ["XAI_API_KEY"], baseURL: "https://api.x.ai", reasoning: "'key is ' .. ctx.env.XAI_API_KEY")
        try await withTemporaryDirectory { directory in
            let plugins = try pluginsCopy(in: directory, extra: ["leaky.lua": leaky])
            try await withEngine(pluginsDir: plugins, grants: ["leaky": ["XAI_API_KEY"]]) { engine, _ in
                let signal = try #require(await engine.runCycle(symbols: ["AAPL"]).signals.first)
                let reasoning = try #require(signal.sources["leaky"]?.reasoning)
                #expect(reasoning == "key is [REDACTED]")
                #expect(!signal.reasoning.contains("xai-key-8765"))
            }
        }
    }
}
