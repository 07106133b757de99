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
    /// What is wrong with the example itself (an `expect` key that checks nothing).
    public var problems: [String] = []
}

/// What an example's `expect` asks for; a key left out is not checked, and a
/// key it does not know is a problem of the example (it would check nothing).
public struct ExampleExpectation: Sendable, Equatable {
    /// The keys `expect` may have.
    public static let keys = ["bars", "last_close", "direction", "confidence", "error_kind"]
    /// How far the signal's confidence may be from `confidence`.
    public static let confidenceTolerance = 0.005

    /// The number of bars parsed.
    public var bars: Int64?
    /// The last bar's close.
    public var lastClose: Double?
    /// The signal's direction (`LONG`, `SHORT`, `NEUTRAL`).
    public var direction: String?
    /// The signal's confidence, within ``confidenceTolerance``.
    public var confidence: Double?
    /// A failure of this kind (`rate_limited`, `bad_response`, …) instead of a result.
    public var errorKind: String?

    public init(bars: Int64? = nil, lastClose: Double? = nil, direction: String? = nil, confidence: Double? = nil, errorKind: String? = nil) {
        self.bars = bars
        self.lastClose = lastClose
        self.direction = direction
        self.confidence = confidence
        self.errorKind = errorKind
    }

    /// Reads `expect`; a key it does not know, or a value of the wrong type, is a problem.
    static func read(_ value: LuaValue) -> (ExampleExpectation, problems: [String]) {
        var problems: [String] = []
        guard case .table(let table) = value else {
            if value != .nil, value != .array([]) { problems.append("'expect' must be a table such as { direction = \"LONG\" }") }
            return (ExampleExpectation(), problems)
        }
        for key in table.keys.map({ $0.stringValue ?? "\($0)" }).sorted() where !keys.contains(key) {
            problems.append("'expect' has an unknown key '\(key)'\(DidYouMean.hint(for: key, among: keys)), which checks nothing")
        }
        func typed<T>(_ key: String, _ read: (LuaValue) -> T?, _ expected: String) -> T? {
            let item = value[key]
            if item == .nil { return nil }
            guard let result = read(item) else {
                problems.append("'expect.\(key)' must be \(expected), got \(item.typeName)")
                return nil
            }
            return result
        }
        let expectation = ExampleExpectation(
            bars: typed("bars", \.integerValue, "an integer"), lastClose: typed("last_close", \.doubleValue, "a number"),
            direction: typed("direction", \.stringValue, "LONG, SHORT or NEUTRAL"), confidence: typed("confidence", \.doubleValue, "a number"),
            errorKind: typed("error_kind", \.stringValue, "a failure kind such as \"rate_limited\""))
        if let direction = expectation.direction, Direction(rawValue: direction) == nil {
            problems.append("'expect.direction' must be LONG, SHORT or NEUTRAL, got '\(direction)'")
        }
        if let kind = expectation.errorKind, FetchError.Kind(rawValue: kind) == nil {
            let kinds = FetchError.Kind.allCases.map(\.rawValue)
            problems.append("'expect.error_kind' is not a failure kind: '\(kind)'\(DidYouMean.hint(for: kind, among: kinds))")
        }
        return (expectation, problems)
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

    /// Differences from `expect` (`bars`, `last_close`, `direction`, `confidence`, `error_kind`); empty when it matches.
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
        if let confidence = expect.confidence, !(abs((signal?.1 ?? .nan) - confidence) <= ExampleExpectation.confidenceTolerance) {
            problems.append("expected confidence \(confidence) (± \(ExampleExpectation.confidenceTolerance)), got \(signal.map { String(format: "%.4f", $0.1) } ?? "no signal")")
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
            let (expect, problems) = ExampleExpectation.read(item["expect"])
            return PluginExample(symbol: item["symbol"].stringValue ?? "AAPL", responses: responses, expect: expect, problems: problems)
        }
    }
}
