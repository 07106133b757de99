import ArgoCore
import ArgoEngine
import ArgoPlugins
import Synchronization

extension Workspace {
    /// The sources for `plugins` under `config`. With `--demo` each source points
    /// at a simulator listener of its own (its own pool, as with real hosts),
    /// unless the settings give its `base_url` (a plugin in development against
    /// a local server runs beside the simulated vendors), and
    /// the vendors' plan limits are lifted unless `Config/argo.yaml` sets them:
    /// the simulator has no quota, and Alpha Vantage's 5 a minute would only slow the demo.
    public func sources(plugins: [PluginManifest], config: ArgoConfig, consensus: ConsensusSettings) throws(ConfigError) -> [SourceSetup] {
        var sources = try SourceSetup.all(
            plugins: plugins, config: config, consensus: consensus, environment: environment,
            baseURLOverride: nil, placeholderKeys: isDemo)
        guard let demo, !demo.baseURLs.isEmpty else { return sources }
        for index in sources.indices {
            let name = sources[index].name
            if config.file.entry("sources.\(name).base_url") != nil { continue }
            sources[index].baseURL = demo.url(for: name)
            if config.file.entry("sources.\(name).rate_limit.requests") == nil { sources[index].policy.rateLimit = nil }
            if config.file.entry("sources.\(name).max_concurrency") == nil {
                sources[index].policy.maxConcurrency = max(sources[index].policy.maxConcurrency, config.connectionsPerHost ?? Self.demoMaxConcurrency)
            }
        }
        return sources
    }

    /// The requests in flight `--demo` allows each source at least, unless the settings say otherwise.
    static let demoMaxConcurrency = 8

}

/// Which simulator listener each source uses under `--demo`: assigned in order
/// of first appearance and kept, so a reload that adds or removes a source does
/// not move the others to another "host" (and another pool).
public final class DemoListeners: Sendable {
    public let baseURLs: [String]
    private let assigned = Mutex<[String: Int]>([:])

    public init(baseURLs: [String]) { self.baseURLs = baseURLs }

    func url(for source: String) -> String {
        let index = assigned.withLock { table in
            if let index = table[source] { return index }
            let index = table.count % baseURLs.count
            table[source] = index
            return index
        }
        return baseURLs[index]
    }
}
