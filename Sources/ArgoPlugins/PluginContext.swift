import ArgoLua

/// The `ctx` a plugin's functions receive (contract section 4): the declared
/// variables it was granted, the time, the bars wanted and its effective settings.
public struct PluginContext: Sendable {
    /// The Lua table, built once and pushed on every call.
    let value: LuaValue

    /// `through`: the bar store fetching an older range wants bars through `now` only (`ctx.through`, Unix
    /// seconds); nil in a cycle, which wants them through the latest.
    public init(
        env: [String: String] = [:], now: Int64, barsNeeded: Int, baseURL: String = "", timeout: Double = 10,
        cacheTTL: Double = 0, maxConcurrency: Int = 1, rateLimit: (requests: Int, per: Double)? = nil, through: Int64? = nil
    ) {
        var envTable: [LuaValue: LuaValue] = [:]
        for (name, value) in env { envTable[.string(LuaString(name))] = .string(LuaString(value)) }
        var config: [LuaValue: LuaValue] = [
            "base_url": .string(LuaString(baseURL)), "timeout": .number(timeout),
            "cache_ttl": .number(cacheTTL), "max_concurrency": .integer(Int64(maxConcurrency)),
        ]
        if let rateLimit {
            config["rate_limit"] = .table(["requests": .integer(Int64(rateLimit.requests)), "per": .number(rateLimit.per)])
        }
        var table: [LuaValue: LuaValue] = [
            "env": .table(envTable), "now": .integer(now), "bars_needed": .integer(Int64(barsNeeded)), "config": .table(config),
        ]
        if let through { table["through"] = .integer(through) }
        value = .table(table)
    }
}
