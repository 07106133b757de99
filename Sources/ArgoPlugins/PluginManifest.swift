import ArgoCore
import ArgoLua

/// A plugin's declared settings (contract section 4), validated.
public struct PluginManifest: Sendable, Equatable {
    /// Where a source sits: in the market-data chain, or independent.
    public enum Role: Sendable, Equatable {
        case marketData(priority: Int)
        case independent
    }

    /// A request budget: `requests` per `per` seconds.
    public struct RateLimit: Sendable, Equatable {
        public var requests: Int
        public var per: Double
    }

    public var name: String
    public var file: String
    public var role: Role
    public var weight: Double
    public var baseURL: String
    public var env: [String]
    public var cacheTTL: Double
    public var timeout: Double
    public var rateLimit: RateLimit?
    public var maxConcurrency: Int
    /// Whether the plugin has a `signal` function (bars sources need one).
    public var hasSignal: Bool
    /// The line of the file that sets each field it sets (for `argo config`).
    public var lines: [String: Int]
    /// Stands for the file's text in this process: a plugin set aside for
    /// overrunning its limits comes back when this changes.
    public var fingerprint: Int

    /// The fields a plugin's table may have (contract section 4, and `examples`).
    public static let fields = [
        "name", "chain", "priority", "weight", "base_url", "env", "cache_ttl", "timeout", "rate_limit",
        "max_concurrency", "request", "parse", "signal", "examples",
    ]

    /// Validates the fields of the table a plugin file returned. `source` is the
    /// file's text, used to point each error at the line that sets the field.
    public init(fields: [String: LuaField], file: String, source: String, defaultName: String) throws(PluginError) {
        let reader = FieldReader(fields: fields, file: file, lines: AssignmentLines(source))
        // A misspelt field would otherwise be a silent default (`wieght = 0.2` leaves the weight at 0.1).
        if let unknown = fields.keys.sorted().first(where: { !Self.fields.contains($0) }) {
            throw reader.error(unknown, "unknown field '\(unknown)'\(DidYouMean.hint(for: unknown, among: Self.fields))")
        }
        // The name is the file's: a file that called itself after another source
        // would take that source's settings, grant and keys.
        name = defaultName
        if let declared = try reader.string("name"), declared != defaultName {
            throw reader.error("name", "field 'name' is '\(declared)' but a plugin's name is its file name ('\(defaultName)'): rename the file or drop the field")
        }
        self.file = file
        fingerprint = source.hashValue
        lines = Dictionary(uniqueKeysWithValues: fields.keys.compactMap { key in reader.lines.line(of: key).map { (key, $0) } })
        switch try reader.string("chain") {
        case nil: role = .independent
        case "market_data": role = .marketData(priority: try reader.integer("priority") ?? 100)
        case let other?: throw reader.error("chain", "field 'chain' must be \"market_data\" or absent, got \"\(other)\"")
        }
        weight = try reader.number("weight") ?? 0.1
        guard let baseURL = try reader.string("base_url") else {
            throw reader.error("base_url", "field 'base_url' is required (the vendor's API root)")
        }
        self.baseURL = baseURL
        env = try reader.stringList("env") ?? []
        cacheTTL = try reader.number("cache_ttl") ?? 0
        timeout = try reader.number("timeout") ?? 10
        maxConcurrency = try reader.integer("max_concurrency") ?? 4
        rateLimit = try reader.rateLimit("rate_limit")
        try reader.requireFunction("request")
        try reader.requireFunction("parse")
        hasSignal = try reader.optionalFunction("signal")
        if case .marketData = role, !hasSignal {
            throw reader.error("chain", "a market_data source needs a 'signal' function to turn indicators into a signal")
        }
        guard weight.isFinite, weight >= 0, weight <= 1000 else { throw reader.error("weight", "field 'weight' must be a number from 0 to 1000") }
        guard timeout > 0, timeout <= 3600 else { throw reader.error("timeout", "field 'timeout' must be more than 0 and at most 3600 seconds") }
        guard cacheTTL >= 0, cacheTTL <= 86_400 * 30 else { throw reader.error("cache_ttl", "field 'cache_ttl' must be from 0 to 2592000 seconds (30 days)") }
        guard maxConcurrency >= 1, maxConcurrency <= 10_000 else { throw reader.error("max_concurrency", "field 'max_concurrency' must be from 1 to 10000") }
        if let rateLimit, rateLimit.requests > 1_000_000 || rateLimit.per > 86_400 {
            throw reader.error("rate_limit", "field 'rate_limit' must be at most 1000000 requests per at most 86400 seconds")
        }
    }
}

/// Reads typed fields and makes errors that point at the field's line.
private struct FieldReader {
    let fields: [String: LuaField]
    let file: String
    let lines: AssignmentLines

    func error(_ key: String?, _ message: String) -> PluginError {
        PluginError(file: file, line: key.flatMap { lines.line(of: $0) }, message: message)
    }

    private func value(_ key: String, expected: String) throws(PluginError) -> LuaValue? {
        switch fields[key] {
        case nil, .value(.nil): return nil
        case .value(let value): return value
        case .function: throw error(key, "field '\(key)' must be \(expected), got function")
        case .other(let type): throw error(key, "field '\(key)' must be \(expected), got \(type)")
        }
    }

    func string(_ key: String) throws(PluginError) -> String? {
        guard let value = try value(key, expected: "a string") else { return nil }
        guard let string = value.stringValue else { throw error(key, "field '\(key)' must be a string, got \(value.typeName)") }
        return string
    }

    func number(_ key: String) throws(PluginError) -> Double? {
        guard let value = try value(key, expected: "a number") else { return nil }
        guard let number = value.doubleValue else { throw error(key, "field '\(key)' must be a number, got \(value.typeName)") }
        guard number.isFinite else { throw error(key, "field '\(key)' must be a finite number, got \(number)") }
        return number
    }

    func integer(_ key: String) throws(PluginError) -> Int? {
        guard let value = try value(key, expected: "an integer") else { return nil }
        guard let integer = value.integerValue else {
            throw error(key, "field '\(key)' must be an integer, got \(value.doubleValue == nil ? value.typeName : "a fraction")")
        }
        return Int(integer)
    }

    func stringList(_ key: String) throws(PluginError) -> [String]? {
        guard let value = try value(key, expected: "a list of strings") else { return nil }
        switch value {
        case .table(let t) where t.isEmpty: return []
        case .array(let items):
            var strings: [String] = []
            for item in items {
                guard let s = item.stringValue else { throw error(key, "field '\(key)' must be a list of strings") }
                strings.append(s)
            }
            return strings
        default: throw error(key, "field '\(key)' must be a list of strings, got \(value.typeName)")
        }
    }

    func rateLimit(_ key: String) throws(PluginError) -> PluginManifest.RateLimit? {
        guard let value = try value(key, expected: "a table { requests = N, per = seconds }") else { return nil }
        if case .table(let table) = value, let unknown = table.keys.compactMap(\.stringValue).sorted().first(where: { $0 != "requests" && $0 != "per" }) {
            throw error(key, "field '\(key)' has an unknown key '\(unknown)'\(DidYouMean.hint(for: unknown, among: ["requests", "per"])): it takes { requests = N, per = seconds }")
        }
        guard let requests = value["requests"].integerValue, requests > 0,
            let per = value["per"].doubleValue, per > 0, per.isFinite
        else { throw error(key, "field '\(key)' must be { requests = N, per = seconds } with N and seconds > 0") }
        return PluginManifest.RateLimit(requests: Int(requests), per: per)
    }

    func requireFunction(_ key: String) throws(PluginError) {
        guard try optionalFunction(key) else { throw error(nil, "function '\(key)' is required") }
    }

    func optionalFunction(_ key: String) throws(PluginError) -> Bool {
        switch fields[key] {
        case nil, .value(.nil): return false
        case .function: return true
        case .value(let value): throw error(key, "field '\(key)' must be a function, got \(value.typeName)")
        case .other(let type): throw error(key, "field '\(key)' must be a function, got \(type)")
        }
    }
}
