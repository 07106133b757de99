import ArgoAnalytics
import ArgoCore
import ArgoFetch
import ArgoPlugins

/// Running a plugin's examples as a cycle would run its responses: pruned as
/// the HTTP client prunes them, parsed, and for bars the host's indicators and
/// the plugin's `signal`.
extension PluginHost {
    /// Parses `responses` as the plugin would in a cycle and, for bars, computes
    /// the indicators and asks the plugin's `signal`. A body whose request sets
    /// `max_items` is pruned first, as the HTTP client would have pruned it.
    public func run(_ plugin: String, responses: [String?: FetchResponse], symbol: String, ctx: PluginContext) async -> ExampleOutcome {
        let redactor = Redactor(secrets: [])
        do throws(FetchError) {
            // A live fetch turns a non-2xx answer into a failure before any plugin code sees it.
            for response in responses.values {
                if let failure = Fetcher.failure(status: response.status, body: response.body, redactor: redactor) { throw failure }
            }
            var responses = responses
            // A request that cannot be built here (say, a key the example does not set) prunes nothing.
            let requests = (try? await request(plugin, symbol: symbol, ctx: ctx, redactor: redactor)) ?? [:]
            for (name, response) in responses {
                guard let maxItems = requests[name]?.maxItems else { continue }
                responses[name] = response.pruned(maxItems: maxItems)
            }
            switch try await parse(plugin, responses: responses, symbol: symbol, ctx: ctx, redactor: redactor) {
            case .signal(let direction, let confidence, let reasoning):
                return ExampleOutcome(signal: (direction, confidence, reasoning))
            case .bars(let bars, _):
                let sorted = bars.sorted { $0.t < $1.t }
                let signal = try await self.signal(plugin, indicators: Indicators(bars: sorted), symbol: symbol, ctx: ctx, redactor: redactor)
                return ExampleOutcome(bars: sorted, signal: signal)
            }
        } catch {
            return ExampleOutcome(error: error)
        }
    }

    /// Runs every example `plugin` carries and returns what does not match, one
    /// line per example (`example 2 (AAPL): expected LONG, got SHORT`); empty when all match.
    public func exampleProblems(_ plugin: String, ctx: PluginContext) async -> [String] {
        let examples: [PluginExample]
        do {
            examples = try await self.examples(plugin)
        } catch {
            return ["cannot read examples: \(error)"]
        }
        var problems: [String] = []
        for (index, example) in examples.enumerated() {
            let outcome = await run(plugin, responses: example.responses, symbol: example.symbol, ctx: ctx)
            let mismatches = example.problems + outcome.mismatches(example.expect)
            if !mismatches.isEmpty { problems.append("example \(index + 1) (\(example.symbol)): \(mismatches.joined(separator: "; "))") }
        }
        return problems
    }
}
