import ArgoCore
import ArgoFetch

/// Host settings from `Config/argo.yaml` and the `ARGO_…` environment
/// (contract section 3), with their defaults.
public struct ArgoConfig: Sendable {
    public var symbols = ["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META"]
    public var pluginsDir = "plugins"
    public var storagePath = ".argo/argo.sqlite"
    /// Seconds a cycle may take; unfinished sources are reported as timed out.
    public var cycleDeadline = 20.0
    /// Seconds between cycle starts under `argo run` (`cycle.interval`).
    public var cycleInterval = 60.0
    public var maxConcurrentSymbols = 64
    /// Trading days of bars the market-data request asks for (≥ 200 for regime, 252 for the 52-week range).
    public var barsNeeded = 260
    /// A cap on connections per upstream host (`http.connections_per_host`); nil: the sources' own `max_concurrency` decides.
    public var connectionsPerHost: Int?
    /// A PEM file of certificate authorities to trust instead of the system's (`http.ca_file`).
    public var caFile: String?
    /// MiB the response cache may hold for all sources together (`http.cache_mb`; 0 turns caching off).
    public var cacheMegabytes = Fetcher.defaultCacheBytes >> 20
    public var logLevel = "info"
    public var regime = RegimeThresholds()
    /// The file the settings came from.
    public var file: ConfigFile

    static let allowedKeys = [
        "symbols", "plugins_dir", "storage.path", "cycle.deadline", "cycle.max_concurrent_symbols", "cycle.bars_needed",
        "cycle.interval", "http.connections_per_host", "http.client", "http.ca_file", "http.cache_mb", "log.level",
        "regime.min_bars", "regime.crisis_drawdown", "regime.drawdown_window", "regime.crisis_volatility_ratio",
        "regime.crisis_volatility_floor", "regime.trend_separation", "regime.trend_slope", "regime.slope_window",
        "sources.*.enabled", "sources.*.base_url", "sources.*.timeout", "sources.*.cache_ttl", "sources.*.max_concurrency",
        "sources.*.rate_limit.requests", "sources.*.rate_limit.per", "sources.*.max_attempts", "sources.*.weight",
        "sources.*.grant.env", "sources.*.grant.origins",
    ]

    /// The levels `log.level` accepts (swift-log's).
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    public init(file: ConfigFile) throws(ConfigError) {
        self.file = file
        if let (key, origin) = file.unknownKeys(allowed: Self.allowedKeys).first {
            throw ConfigError(origin: origin, message: "unknown key '\(key)'\(DidYouMean.hint(for: key, among: Self.keys(like: key)))")
        }
        try Self.checkEnvironment(file.environment)
        if let list = file.list("symbols") {
            if let bad = list.first(where: { !Ticker.isValid($0) }) {
                let origin = file.entry("symbols")?.origin ?? ConfigFile.environmentName("symbols")
                throw ConfigError(origin: origin, message: "'\(bad)' is not a ticker symbol (1 to 12 letters, digits, '.' or '-')")
            }
            symbols = Ticker.normalized(list)
        }
        pluginsDir = file.path(of: "plugins_dir") ?? pluginsDir
        storagePath = file.path(of: "storage.path") ?? storagePath
        cycleDeadline = try file.duration("cycle.deadline", in: 0.001...3600) ?? cycleDeadline
        maxConcurrentSymbols = try file.integer("cycle.max_concurrent_symbols", atLeast: 1, atMost: 100_000) ?? maxConcurrentSymbols
        barsNeeded = try file.integer("cycle.bars_needed", atLeast: 1, atMost: 100_000) ?? barsNeeded
        connectionsPerHost = try file.integer("http.connections_per_host", atLeast: 1, atMost: 10_000)
        cycleInterval = try file.duration("cycle.interval", in: 0...86_400) ?? cycleInterval
        // Once a choice of two clients; `argo` is the one left (docs/http.md), so older files still load.
        if let name = file.string("http.client"), name.lowercased() != "argo" {
            let origin = file.entry("http.client")?.origin ?? ConfigFile.environmentName("http.client")
            throw ConfigError(origin: origin, message: "'http.client': Argo has one HTTP client, its own ('argo'); '\(name)' was removed (docs/http.md), delete the line")
        }
        caFile = file.path(of: "http.ca_file")
        cacheMegabytes = try file.integer("http.cache_mb", atLeast: 0, atMost: 1 << 20) ?? cacheMegabytes
        logLevel = file.string("log.level")?.lowercased() ?? logLevel
        if !Self.logLevels.contains(logLevel) {
            let origin = file.entry("log.level")?.origin ?? ConfigFile.environmentName("log.level")
            throw ConfigError(origin: origin, message: "'log.level' must be one of \(Self.logLevels.joined(separator: ", ")), got '\(logLevel)'")
        }
        regime.minBars = try file.integer("regime.min_bars", atLeast: 200) ?? regime.minBars
        regime.crisisDrawdown = try file.number("regime.crisis_drawdown", atLeast: 0) ?? regime.crisisDrawdown
        regime.drawdownWindow = try file.integer("regime.drawdown_window", atLeast: 2) ?? regime.drawdownWindow
        regime.crisisVolatilityRatio = try file.number("regime.crisis_volatility_ratio", atLeast: 0) ?? regime.crisisVolatilityRatio
        regime.crisisVolatilityFloor = try file.number("regime.crisis_volatility_floor", atLeast: 0) ?? regime.crisisVolatilityFloor
        regime.trendSeparation = try file.number("regime.trend_separation", atLeast: 0) ?? regime.trendSeparation
        regime.trendSlope = try file.number("regime.trend_slope", atLeast: 0) ?? regime.trendSlope
        regime.slopeWindow = try file.integer("regime.slope_window", atLeast: 1) ?? regime.slopeWindow
    }

    /// The allowed keys, with a source key's `*` filled in from `key` (`sources.alpacca.tll` → `sources.alpacca.timeout`, …).
    static func keys(like key: String) -> [String] {
        let parts = key.split(separator: ".")
        return allowedKeys.map { pattern in
            guard pattern.hasPrefix("sources.*."), parts.count > 1, parts[0] == "sources" else { return pattern }
            return "sources.\(parts[1])." + pattern.dropFirst("sources.*.".count)
        }
    }

    /// Variables under `ARGO_` that Argo reads for something else than a key:
    /// the benchmarks' own knobs.
    static let otherVariablePrefixes = ["ARGO_BENCH_"]

    /// Every `ARGO_…` variable must set a key: a misspelt one would otherwise be
    /// ignored without a word. Those of sources (`ARGO_SOURCES_…`) are checked
    /// once the sources are known, by ``checkSources(_:)``.
    static func checkEnvironment(_ environment: [String: String]) throws(ConfigError) {
        let names = allowedKeys.filter { !$0.contains("*") }.map(ConfigFile.environmentName)
        for variable in environment.keys.sorted() where variable.hasPrefix("ARGO_") {
            if names.contains(variable) || otherVariablePrefixes.contains(where: variable.hasPrefix) { continue }
            if variable.hasPrefix("ARGO_SOURCES_") { continue }
            throw ConfigError(origin: "\(variable) (environment)",
                              message: "sets no setting\(DidYouMean.hint(for: variable, among: names)); `argo config` lists them")
        }
    }

    /// Checks that the keys under `sources.` in the file and the environment name
    /// one of `sources` (the plugin files' names). A name one typo away from a
    /// source (`sources.alpacca.enabled: false`, which would leave alpaca enabled)
    /// is an error; any other name may be a source whose file was removed, so it
    /// is a warning, returned for the caller to print every time.
    @discardableResult
    public func checkSources(_ sources: [String]) throws(ConfigError) -> [String] {
        var warnings: [String] = []
        let list = " (sources: \(sources.sorted().joined(separator: ", ")))"
        for (key, entry) in file.entries.sorted(by: { $0.key < $1.key }) where key.hasPrefix("sources.") {
            let name = String(key.split(separator: ".")[1])
            guard !sources.contains(name) else { continue }
            if let near = DidYouMean.closest(to: name, among: sources) {
                throw ConfigError(origin: entry.origin, message: "'\(key)': there is no source '\(name)' (did you mean '\(near)'?)" + list)
            }
            warnings.append("\(entry.origin): '\(key)' applies to no source: there is no plugin '\(name)'" + list)
        }
        let sourceKeys = Self.allowedKeys.filter { $0.hasPrefix("sources.*.") }.map { String($0.dropFirst("sources.*.".count)) }
        let names = sources.flatMap { source in sourceKeys.map { ConfigFile.environmentName("sources.\(source).\($0)") } }
        for variable in file.environment.keys.sorted() where variable.hasPrefix("ARGO_SOURCES_") && !names.contains(variable) {
            if let near = DidYouMean.closest(to: variable, among: names) {
                throw ConfigError(origin: "\(variable) (environment)", message: "sets no setting (did you mean '\(near)'?); `argo config` lists them")
            }
            warnings.append("\(variable) (environment): sets no setting of any source" + list)
        }
        return warnings
    }

    /// `sources.<name>.enabled` (default true).
    public func isEnabled(_ source: String) throws(ConfigError) -> Bool {
        try file.bool("sources.\(source).enabled") ?? true
    }

    /// `http.cache_mb` in bytes, for ``Fetcher/init(transport:clock:observer:cacheBytes:)``.
    public var cacheBytes: Int { cacheMegabytes << 20 }

    /// The HTTP transport's settings: client, pool size and trusted CAs.
    public var transportConfiguration: HTTPTransport.Configuration {
        var settings = HTTPTransport.Configuration()
        settings.connectionsPerHost = connectionsPerHost
        settings.caFile = caFile
        return settings
    }

    /// Overrides for one source applied onto its plugin defaults.
    public func apply(to policy: inout SourcePolicy, baseURL: inout String) throws(ConfigError) {
        let prefix = "sources.\(policy.name)."
        baseURL = file.string(prefix + "base_url") ?? baseURL
        policy.timeout = try file.duration(prefix + "timeout", in: 0.001...3600) ?? policy.timeout
        policy.cacheTTL = try file.duration(prefix + "cache_ttl") ?? policy.cacheTTL
        policy.maxConcurrency = try file.integer(prefix + "max_concurrency", atLeast: 1, atMost: 10_000) ?? policy.maxConcurrency
        policy.maxAttempts = try file.integer(prefix + "max_attempts", atLeast: 1, atMost: 100) ?? policy.maxAttempts
        let requests = try file.integer(prefix + "rate_limit.requests", atLeast: 1, atMost: 1_000_000)
        let per = try file.duration(prefix + "rate_limit.per", in: 0.001...86_400)
        if requests != nil || per != nil {
            let current = policy.rateLimit ?? SourcePolicy.RateLimit(requests: requests ?? 60, per: per ?? 60)
            policy.rateLimit = SourcePolicy.RateLimit(requests: requests ?? current.requests, per: per ?? current.per)
        }
    }
}
