import ArgoCore
import ArgoFetch
import ArgoJSONScan
import ArgoLua
import Foundation

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
    public var expect: LuaValue
}

/// What running an example (or a response file) through a plugin gave.
public struct ExampleOutcome: Sendable {
    public var bars: [Bar]?
    public var signal: (Direction, Double, String)?
    public var error: FetchError?

    /// Differences from `expect` (`bars`, `last_close`, `direction`, `error_kind`); empty when it matches.
    public func mismatches(_ expect: LuaValue) -> [String] {
        var problems: [String] = []
        if let kind = expect["error_kind"].stringValue {
            if error?.kind.rawValue != kind { problems.append("expected a \(kind) failure, got \(error.map { "\($0.kind.rawValue): \($0.message)" } ?? "success")") }
            return problems
        }
        if let error { return ["failed: \(error.kind.rawValue): \(error.message)"] }
        if let count = expect["bars"].integerValue, Int64(bars?.count ?? -1) != count {
            problems.append("expected \(count) bars, got \(bars?.count ?? 0)")
        }
        if let close = expect["last_close"].doubleValue, abs((bars?.last?.c ?? .nan) - close) > 1e-9 {
            problems.append("expected last close \(close), got \(bars?.last.map { "\($0.c)" } ?? "none")")
        }
        if let direction = expect["direction"].stringValue, signal?.0.rawValue != direction {
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
            return PluginExample(symbol: item["symbol"].stringValue ?? "AAPL", responses: responses, expect: item["expect"])
        }
    }

    /// Parses `responses` as the plugin would in a cycle and, for bars, computes
    /// the indicators and asks the plugin's `signal`. A body whose request sets
    /// `max_items` is pruned first, as the HTTP client would have pruned it.
    public func run(_ plugin: String, responses: [String?: FetchResponse], symbol: String, ctx: LuaValue) async -> ExampleOutcome {
        let redactor = Redactor(secrets: [])
        do {
            var responses = responses
            // A request that cannot be built here (say, a key the example does not set) prunes nothing.
            let requests = (try? await request(plugin, symbol: symbol, ctx: ctx, redactor: redactor)) ?? [:]
            for (name, response) in responses {
                guard let maxItems = requests[name]?.maxItems else { continue }
                responses[name]?.body = JSONPruner.prune(response.body, maxItems: maxItems)
            }
            switch try await parse(plugin, responses: responses, symbol: symbol, ctx: ctx, redactor: redactor) {
            case .signal(let direction, let confidence, let reasoning):
                return ExampleOutcome(signal: (direction, confidence, reasoning))
            case .bars(let bars, _):
                let sorted = bars.sorted { $0.t < $1.t }
                let signal = try await self.signal(plugin, bars: sorted, symbol: symbol, ctx: ctx, redactor: redactor)
                return ExampleOutcome(bars: sorted, signal: signal)
            }
        } catch {
            return ExampleOutcome(error: error)
        }
    }

    /// Runs every example `plugin` carries and returns what does not match, one
    /// line per example (`example 2 (AAPL): expected LONG, got SHORT`); empty when all match.
    public func exampleProblems(_ plugin: String, ctx: LuaValue) async -> [String] {
        let examples: [PluginExample]
        do {
            examples = try await self.examples(plugin)
        } catch {
            return ["cannot read examples: \(error)"]
        }
        var problems: [String] = []
        for (index, example) in examples.enumerated() {
            let outcome = await run(plugin, responses: example.responses, symbol: example.symbol, ctx: ctx)
            let mismatches = outcome.mismatches(example.expect)
            if !mismatches.isEmpty { problems.append("example \(index + 1) (\(example.symbol)): \(mismatches.joined(separator: "; "))") }
        }
        return problems
    }
}
