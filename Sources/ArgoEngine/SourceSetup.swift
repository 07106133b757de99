import ArgoCore
import ArgoFetch
import ArgoPlugins
import Foundation

/// One plugin as the engine runs it: enabled or not (and why), its effective
/// settings after `Config/argo.yaml` and the environment, its consensus weight
/// and the values of the variables it declared.
public struct SourceSetup: Sendable {
    public var manifest: PluginManifest
    public var name: String { manifest.name }
    public var policy: SourcePolicy
    public var baseURL: String
    public var weight: Double
    /// Why the source is off (`missing APCA_API_KEY_ID`, `disabled in Config/argo.yaml`), nil when enabled.
    public var disabledReason: String?
    /// Declared variable → value (only for enabled sources).
    var env: [String: String]
    /// What the operator grants the source: variables and the origins they may go to.
    public var grant: SecretGrant

    public var isEnabled: Bool { disabledReason == nil }
    public var isMarketData: Bool { if case .marketData = manifest.role { true } else { false } }
    public var priority: Int { if case .marketData(let priority) = manifest.role { priority } else { Int.max } }

    /// Builds the setup of every loaded plugin.
    /// - Parameters:
    ///   - baseURLOverride: `--demo` points every source at the simulator.
    ///   - placeholderKeys: `--demo` supplies stand-in values for missing keys.
    public static func all(
        plugins: [PluginManifest], config: ArgoConfig, consensus: ConsensusSettings, environment: [String: String],
        baseURLOverride: String? = nil, placeholderKeys: Bool = false
    ) throws(ConfigError) -> [SourceSetup] {
        var setups: [SourceSetup] = []
        for manifest in plugins {
            var policy = SourcePolicy(name: manifest.name)
            policy.timeout = manifest.timeout
            policy.cacheTTL = manifest.cacheTTL
            policy.maxConcurrency = manifest.maxConcurrency
            policy.rateLimit = manifest.rateLimit.map { SourcePolicy.RateLimit(requests: $0.requests, per: $0.per) }
            var baseURL = manifest.baseURL
            try config.apply(to: &policy, baseURL: &baseURL)
            if let baseURLOverride { baseURL = baseURLOverride }
            let operatorBaseURL = baseURLOverride ?? config.file.string("sources.\(manifest.name).base_url")
            let grant = try SecretGrant.of(manifest.name, config: config)
            let refusal = grant.refusal(for: manifest, baseURL: baseURL, operatorBaseURL: operatorBaseURL)
            var env: [String: String] = [:]
            var missing: [String] = []
            for declared in manifest.env where refusal == nil {
                // `A|B`: either variable (MASSIVE_API_KEY|POLYGON_API_KEY); the plugin reads it as A. Only granted ones are read.
                let names = declared.split(separator: "|").map(String.init).filter(grant.env.contains)
                if let value = names.lazy.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) {
                    env[names[0]] = value
                } else if placeholderKeys {
                    env[names[0]] = "demo-\(names[0].lowercased())"
                } else {
                    missing.append(names.joined(separator: " or "))
                }
            }
            policy.secrets = Array(env.values)
            var reason: String?
            if try !config.isEnabled(manifest.name) {
                reason = "disabled in \(config.file.entry("sources.\(manifest.name).enabled")?.origin ?? config.file.path)"
            } else if let refusal {
                reason = refusal
            } else if !missing.isEmpty {
                reason = "missing \(missing.joined(separator: ", "))"
            }
            let weight = try config.file.number("sources.\(manifest.name).weight", atLeast: 0) ?? consensus.weights[manifest.name] ?? manifest.weight
            setups.append(SourceSetup(manifest: manifest, policy: policy, baseURL: baseURL, weight: weight,
                                      disabledReason: reason, env: reason == nil ? env : [:], grant: grant))
        }
        return setups
    }

    /// The `ctx` a plugin's examples and saved responses are run with: no config,
    /// no environment, placeholder keys, 260 bars wanted, the current time.
    public static func offlineContext(for manifest: PluginManifest, consensus: ConsensusSettings) throws(ConfigError) -> PluginContext {
        let setup = try all(plugins: [manifest], config: ArgoConfig(file: ConfigFile(environment: [:])), consensus: consensus,
                            environment: [:], placeholderKeys: true)[0]
        return setup.context(now: Int64(Date().timeIntervalSince1970), barsNeeded: 260)
    }

    /// The `ctx` a plugin's functions receive.
    public func context(now: Int64, barsNeeded: Int, through: Int64? = nil) -> PluginContext {
        PluginContext(
            env: env, now: now, barsNeeded: barsNeeded, baseURL: baseURL, timeout: policy.timeout, cacheTTL: policy.cacheTTL,
            maxConcurrency: policy.maxConcurrency,
            rateLimit: policy.rateLimit.map { ($0.requests, $0.per) }, through: through)
    }
}
