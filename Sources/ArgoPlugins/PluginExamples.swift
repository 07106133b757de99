import ArgoCore
import ArgoLua

/// An example a plugin carries in its `examples` field: a recorded response
/// (or named responses) for a symbol, and what parsing it must give.
///
/// ```lua
/// examples = {
///   { symbol = "AAPL", response = { status = 200, body = [[{...}]] },
///     expect = { bars = 2, last_close = 271.9, direction = "NEUTRAL" } },
///   { symbol = "AAPL", responses = { rsi = {...}, macd = {...} }, expect = { error_kind = "rate_limited" } },
/// }
/// ```
public struct PluginExample: Sendable {
    public var symbol: String
    public var responses: [String?: FetchResponse]
    public var expect: ExampleExpectation
}

/// What an example's `expect` asks for; a key left out is not checked.
public struct ExampleExpectation: Sendable, Equatable {
    /// The number of bars parsed.
    public var bars: Int64?
    /// The last bar's close.
    public var lastClose: Double?
    /// The signal's direction (`LONG`, `SHORT`, `NEUTRAL`).
    public var direction: String?
    /// A failure of this kind (`rate_limited`, `bad_response`, …) instead of a result.
    public var errorKind: String?

    public init(bars: Int64? = nil, lastClose: Double? = nil, direction: String? = nil, errorKind: String? = nil) {
        self.bars = bars
        self.lastClose = lastClose
        self.direction = direction
        self.errorKind = errorKind
    }

    init(_ value: LuaValue) {
        self.init(bars: value["bars"].integerValue, lastClose: value["last_close"].doubleValue,
                  direction: value["direction"].stringValue, errorKind: value["error_kind"].stringValue)
    }
}

/// What running an example (or a response file) through a plugin gave.
public struct ExampleOutcome: Sendable {
    public var bars: [Bar]?
    public var signal: (Direction, Double, String)?
    public var error: FetchError?

    public init(bars: [Bar]? = nil, signal: (Direction, Double, String)? = nil, error: FetchError? = nil) {
        self.bars = bars
        self.signal = signal
        self.error = error
    }

    /// Differences from `expect` (`bars`, `last_close`, `direction`, `error_kind`); empty when it matches.
    public func mismatches(_ expect: ExampleExpectation) -> [String] {
        var problems: [String] = []
        if let kind = expect.errorKind {
            if error?.kind.rawValue != kind { problems.append("expected a \(kind) failure, got \(error.map { "\($0.kind.rawValue): \($0.message)" } ?? "success")") }
            return problems
        }
        if let error { return ["failed: \(error.kind.rawValue): \(error.message)"] }
        if let count = expect.bars, Int64(bars?.count ?? -1) != count {
            problems.append("expected \(count) bars, got \(bars?.count ?? 0)")
        }
        if let close = expect.lastClose, abs((bars?.last?.c ?? .nan) - close) > 1e-9 {
            problems.append("expected last close \(close), got \(bars?.last.map { "\($0.c)" } ?? "none")")
        }
        if let direction = expect.direction, signal?.0.rawValue != direction {
            problems.append("expected \(direction), got \(signal?.0.rawValue ?? "no signal")")
        }
        return problems
    }
}

extension PluginHost {
    /// The examples a plugin declares (none when it has no `examples` field).
    public func examples(_ plugin: String) async throws -> [PluginExample] {
        let value: LuaValue = try await pool.withState { [self] state in
            guard let reference = referencesOf(state)?.plugins[plugin] else { return .nil }
            if case .value(let examples)? = try state.fields(of: reference)["examples"] { return examples }
            return .nil
        }
        guard case .array(let items) = value else { return [] }
        return items.map { item in
            func response(_ value: LuaValue) -> FetchResponse {
                FetchResponse(status: Int(value["status"].integerValue ?? 200), headers: [],
                              body: Array((value["body"].stringValue ?? "").utf8), attempts: 0, latency: 0, cacheKey: "example")
            }
            var responses: [String?: FetchResponse] = [:]
            if case .table(let named) = item["responses"] {
                for (key, value) in named { responses[key.stringValue] = response(value) }
            } else {
                responses[nil] = response(item["response"])
            }
            return PluginExample(symbol: item["symbol"].stringValue ?? "AAPL", responses: responses, expect: ExampleExpectation(item["expect"]))
        }
    }
}
