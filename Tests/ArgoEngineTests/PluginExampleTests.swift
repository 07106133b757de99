import ArgoCore
import Foundation
@testable import ArgoEngine
@testable import ArgoPlugins
import Testing

@Suite("Engine: shipped plugins pass their own examples")
struct PluginExampleTests {
    @Test("every shipped plugin has examples, and each one matches", arguments: ["alpaca", "massive", "yfinance", "alpha_vantage", "xai_grok", "sonar"])
    func examples(plugin: String) async throws {
        let host = try PluginHost(directory: try PluginDirectory(path: Repo.plugins), consensusPath: nil, poolSize: 1)
        #expect(host.failures.isEmpty, "\(host.failures)")
        let manifest = try #require(host.plugins.first { $0.name == plugin })
        let setup = try SourceSetup.all(plugins: [manifest], config: ArgoConfig(file: ConfigFile(environment: [:])),
                                        consensus: host.consensus, environment: [:], placeholderKeys: true)[0]
        let examples = try await host.examples(plugin)
        #expect(examples.count >= 2, "a success and a failure")
        for example in examples {
            let outcome = await host.run(plugin, responses: example.responses, symbol: example.symbol, ctx: setup.context(now: 1_764_000_000, barsNeeded: 260))
            #expect(outcome.mismatches(example.expect).isEmpty, "\(outcome.mismatches(example.expect))")
        }
    }

    @Test("a wrong expectation is reported, not passed")
    func mismatchDetected() {
        let outcome = ExampleOutcome(bars: [Bar(t: 0, o: 1, h: 1, l: 1, c: 1, v: 1)], signal: (.long, 0.5, ""))
        #expect(outcome.mismatches(ExampleExpectation(bars: 2)) == ["expected 2 bars, got 1"])
        #expect(outcome.mismatches(ExampleExpectation(direction: "SHORT")) == ["expected SHORT, got LONG"])
        #expect(!outcome.mismatches(ExampleExpectation(errorKind: "not_found")).isEmpty)
    }

    @Test("both language models are asked for the sentiment JSON Schema", arguments: ["xai_grok", "sonar"])
    func structuredOutputs(plugin: String) async throws {
        let host = try PluginHost(directory: try PluginDirectory(path: Repo.plugins), consensusPath: nil, poolSize: 1)
        let manifest = try #require(host.plugins.first { $0.name == plugin })
        let setup = try SourceSetup.all(plugins: [manifest], config: ArgoConfig(file: ConfigFile(environment: [:])),
                                        consensus: host.consensus, environment: [:], placeholderKeys: true)[0]
        let request = try #require(try await host.request(plugin, symbol: "AAPL", ctx: setup.context(now: 1_764_000_000, barsNeeded: 260),
                                                          redactor: Redactor(secrets: []))[nil])
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body ?? [])) as? [String: Any])
        let format = try #require(body["response_format"] as? [String: Any])
        #expect(format["type"] as? String == "json_schema")
        let schema = try #require(format["json_schema"] as? [String: Any])
        #expect(schema["name"] as? String == "sentiment" && schema["strict"] as? Bool == true)
        let inner = try #require(schema["schema"] as? [String: Any])
        #expect(Set(inner["required"] as? [String] ?? []) == ["symbol", "sentiment", "score", "confidence", "summary"])
        #expect(inner["additionalProperties"] as? Bool == false)
    }

    @Test("a wrong confidence is reported with its tolerance; a near one passes")
    func confidenceTolerance() {
        let outcome = ExampleOutcome(signal: (.long, 0.84, ""))
        #expect(outcome.mismatches(ExampleExpectation(confidence: 0.842)).isEmpty)
        #expect(outcome.mismatches(ExampleExpectation(confidence: 0.5)) == ["expected confidence 0.5 (± 0.005), got 0.8400"])
    }
}
