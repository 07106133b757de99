import ArgoCore
import ArgoFetch
import ArgoPlugins

/// One setting as a cycle would use it, and where its value came from:
/// `Config/argo.yaml:7`, `ARGO_CYCLE_DEADLINE (environment)`,
/// `plugins/alpaca.lua:9` (the plugin's default), `Config/consensus.lua:6`, or
/// `built-in`.
public struct EffectiveSetting: Sendable, Equatable, Codable {
    public var key: String
    public var value: String
    public var origin: String
}

extension ArgoConfig {
    /// Every setting a cycle would use under these settings, with `sources`
    /// (their setups) and the consensus file's settings and origins.
    public func effectiveSettings(sources: [SourceSetup], consensus: ConsensusSettings, consensusOrigins: [String: String]) -> [EffectiveSetting] {
        var rows: [EffectiveSetting] = []
        func add(_ key: String, _ value: String, fallback: String = "built-in") {
            rows.append(EffectiveSetting(key: key, value: value, origin: file.entry(key)?.origin ?? fallback))
        }
        let seconds = ConfigFile.formatSeconds
        add("symbols", symbols.joined(separator: ","))
        add("plugins_dir", pluginsDir)
        add("storage.path", storagePath)
        add("cycle.deadline", seconds(cycleDeadline))
        add("cycle.interval", seconds(cycleInterval))
        add("cycle.max_concurrent_symbols", "\(maxConcurrentSymbols)")
        add("cycle.bars_needed", "\(barsNeeded)")
        add("http.connections_per_host", connectionsPerHost.map { "\($0)" } ?? "none (each source's max_concurrency)")
        add("http.ca_file", caFile ?? "none (the system's authorities)")
        add("http.cache_mb", "\(cacheMegabytes)")
        add("log.level", logLevel)
        add("regime.min_bars", "\(regime.minBars)")
        add("regime.crisis_drawdown", "\(regime.crisisDrawdown)")
        add("regime.drawdown_window", "\(regime.drawdownWindow)")
        add("regime.crisis_volatility_ratio", "\(regime.crisisVolatilityRatio)")
        add("regime.crisis_volatility_floor", "\(regime.crisisVolatilityFloor)")
        add("regime.trend_separation", "\(regime.trendSeparation)")
        add("regime.trend_slope", "\(regime.trendSlope)")
        add("regime.slope_window", "\(regime.slopeWindow)")

        func consensusOrigin(_ key: String) -> String { consensusOrigins[key] ?? "built-in" }
        rows.append(EffectiveSetting(key: "consensus.min_sources", value: "\(consensus.minSources)", origin: consensusOrigin("min_sources")))
        rows.append(EffectiveSetting(key: "consensus.min_confidence", value: "\(consensus.minConfidence)", origin: consensusOrigin("min_confidence")))
        rows.append(EffectiveSetting(key: "consensus.neutral_band", value: "\(consensus.neutralBand)", origin: consensusOrigin("neutral_band")))
        for regime in Regime.allCases {
            guard let row = consensus.regimeMultipliers[regime] else { continue }
            let value = Direction.allCases.compactMap { direction in row[direction].map { "\(direction.rawValue) \($0)" } }.joined(separator: ", ")
            rows.append(EffectiveSetting(key: "consensus.regime.\(regime.rawValue)", value: value, origin: consensusOrigin("regime")))
        }
        rows.append(EffectiveSetting(key: "consensus.combine", value: consensus.hasCombine ? "combine(signals, regime)" : "the weighted vote",
                                     origin: consensusOrigin("combine")))

        for source in sources {
            let name = source.name
            let manifest = source.manifest
            func plugin(_ field: String) -> String { manifest.lines[field].map { "\(manifest.file):\($0)" } ?? "built-in" }
            func add(_ key: String, _ value: String, field: String?) {
                let path = "sources.\(name).\(key)"
                rows.append(EffectiveSetting(key: path, value: value, origin: file.entry(path)?.origin ?? field.map(plugin) ?? "built-in"))
            }
            let enabledPath = "sources.\(name).enabled"
            // Off by the settings, or on: the setting (or its default) says so; else the keys or the grant.
            let enabledOrigin = if source.disabledReason == nil || (try? file.bool(enabledPath)) == false {
                file.entry(enabledPath)?.origin ?? "built-in"
            } else if source.disabledReason?.hasPrefix("missing") == true {
                "environment (keys)"
            } else {
                "sources.\(name).grant (\(source.grant.origin))"
            }
            rows.append(EffectiveSetting(key: enabledPath, value: source.disabledReason.map { "false (\($0))" } ?? "true", origin: enabledOrigin))
            add("base_url", source.baseURL, field: "base_url")
            add("timeout", seconds(source.policy.timeout), field: "timeout")
            add("cache_ttl", seconds(source.policy.cacheTTL), field: "cache_ttl")
            add("max_concurrency", "\(source.policy.maxConcurrency)", field: "max_concurrency")
            add("max_attempts", "\(source.policy.maxAttempts)", field: nil)
            add("rate_limit.requests", source.policy.rateLimit.map { "\($0.requests)" } ?? "none", field: "rate_limit")
            add("rate_limit.per", source.policy.rateLimit.map { seconds($0.per) } ?? "none", field: "rate_limit")
            let weightPath = "sources.\(name).weight"
            let weightOrigin = file.entry(weightPath)?.origin ?? consensusOrigins["weights.\(name)"] ?? plugin("weight")
            rows.append(EffectiveSetting(key: weightPath, value: "\(source.weight)", origin: weightOrigin))
            let granted = source.grant.env.isEmpty ? "nothing" : "\(source.grant.env.joined(separator: ", ")) to \(source.grant.origins.joined(separator: ", "))"
            rows.append(EffectiveSetting(key: "sources.\(name).grant", value: granted, origin: source.grant.origin))
        }
        return rows
    }
}
