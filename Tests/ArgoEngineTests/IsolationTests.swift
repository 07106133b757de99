@testable import ArgoEngine
import ArgoSimulator
import Foundation
import Testing

/// Copies the shipped plugins into a temporary directory and adds `extra` files.
func pluginsCopy(in directory: URL, extra: [String: String]) throws -> String {
    let target = directory.appendingPathComponent("plugins")
    try FileManager.default.copyItem(atPath: Repo.plugins, toPath: target.path)
    for (name, text) in extra { try text.write(to: target.appendingPathComponent(name), atomically: true, encoding: .utf8) }
    return target.path
}

@Suite("Engine: sources start together, and failures stay with their source")
struct IsolationTests {
    // The fastest answer takes 600 ms, so a loaded 2-core machine running the whole suite
    // still gets every first request out before it; one-after-another fetching never would.
    @Test("every source's first request arrives before any upstream answers (latencies 600–900 ms)")
    func sourcesStartTogether() async throws {
        let latencies: [SimulatedRoute: RouteKnobs] = [
            .alpaca: knobs { $0.latency = .fixed(milliseconds: 600) }, .yahoo: knobs { $0.latency = .fixed(milliseconds: 700) },
            .alphaVantage: knobs { $0.latency = .fixed(milliseconds: 800) }, .xai: knobs { $0.latency = .fixed(milliseconds: 900) },
            .perplexity: knobs { $0.latency = .fixed(milliseconds: 900) },
        ]
        try await withEngine(knobs: latencies) { engine, sim in
            let report = await engine.runCycle(symbols: ["AAPL"])
            #expect(report.signals.first?.sources.values.filter { $0.status == .ok }.count == 5)
            let routes = ["alpaca", "yahoo", "alpha_vantage", "xai", "perplexity"].compactMap { sim.stats.routes[$0] }
            #expect(routes.count == 5)
            let lastStart = routes.compactMap(\.firstRequestEvent).max() ?? .max
            let firstAnswer = routes.compactMap(\.firstResponseEvent).min() ?? .min
            #expect(lastStart < firstAnswer, "all five routes were asked before the fastest (600 ms) answered")
        }
    }

    @Test("a malformed body fails only its source, as bad_response")
    func malformed() async throws {
        try await withEngine(knobs: [.yahoo: knobs { $0.malformedRate = 1 }]) { engine, _ in
            let signal = try #require(await engine.runCycle(symbols: ["AAPL"]).signals.first)
            #expect(signal.sources["yfinance"]?.errorKind == "bad_response")
            #expect(signal.sources["yfinance"]?.error?.contains("not JSON") == true)
            for name in ["alpaca", "alpha_vantage", "xai_grok", "sonar"] { #expect(signal.sources[name]?.status == .ok, "\(name)") }
            #expect(signal.insufficient == nil)
        }
    }

    @Test("a plugin runtime error and a runaway loop fail only their source, with file and line")
    func brokenPlugins() async throws {
        let crashing = """
            return {
              name = "crashing", weight = 0.1, base_url = "http://127.0.0.1:1",
              request = function(symbol, ctx) return { path = "/v8/finance/chart/" .. symbol, query = { range = "1mo" } } end,
              parse = function(response, symbol, ctx)
                local missing = nil
                return missing.field
              end,
            }
            """
        let looping = """
            return {
              name = "looping", weight = 0.1, base_url = "http://127.0.0.1:1",
              request = function(symbol, ctx) return { path = "/v8/finance/chart/" .. symbol, query = { range = "1mo" } } end,
              parse = function(response, symbol, ctx)
                while true do end
              end,
            }
            """
        try await withTemporaryDirectory { directory in
            let plugins = try pluginsCopy(in: directory, extra: ["crashing.lua": crashing, "looping.lua": looping])
            try await withEngine(pluginsDir: plugins) { engine, _ in
                let signal = try #require(await engine.runCycle(symbols: ["AAPL"]).signals.first)
                let crash = try #require(signal.sources["crashing"])
                #expect(crash.errorKind == "plugin")
                #expect(crash.error?.contains("crashing.lua:6:") == true, "\(crash.error ?? "")")
                let loop = try #require(signal.sources["looping"])
                #expect(loop.errorKind == "plugin")
                #expect(loop.error?.contains("looping.lua:5:") == true && loop.error?.contains("instruction limit") == true, "\(loop.error ?? "")")
                for name in ["alpaca", "yfinance", "xai_grok"] { #expect(signal.sources[name]?.status == .ok, "\(name)") }
            }
        }
    }

    @Test("a broken plugin file is skipped with its file and line; the others load")
    func brokenFile() async throws {
        try await withTemporaryDirectory { directory in
            let plugins = try pluginsCopy(in: directory, extra: ["typo.lua": "return {\n  name = 'typo',\n  weight = 'heavy',\n}\n"])
            try await withEngine(pluginsDir: plugins) { engine, _ in
                #expect(engine.host.failures.count == 1)
                #expect(engine.host.failures.first?.description.contains("typo.lua:3") == true, "\(engine.host.failures)")
                #expect(engine.sources.count == 6)
            }
        }
    }

    @Test("adding a source is a file: a seventh plugin joins the next cycle's consensus, no Swift change")
    func seventhSource() async throws {
        let plugin = """
            -- The plugin guide's worked example (docs/plugins.md).
            return {
              name = "momentum", weight = 0.3, base_url = "http://127.0.0.1:1",
              env = { "MOMENTUM_API_KEY" }, cache_ttl = 30, timeout = 5,
              request = function(symbol, ctx)
                return { path = "/example/v1/momentum/" .. symbol, headers = { ["X-Api-Key"] = ctx.env.MOMENTUM_API_KEY } }
              end,
              parse = function(response, symbol, ctx)
                local m = response.json.momentum_20d
                local direction = m > 0.02 and "LONG" or (m < -0.02 and "SHORT" or "NEUTRAL")
                return { direction = direction, confidence = math.min(1, math.abs(m) * 5),
                         reasoning = string.format("20-day momentum %+.1f%%", m * 100) }
              end,
            }
            """
        try await withTemporaryDirectory { directory in
            let plugins = try pluginsCopy(in: directory, extra: [:])
            var environment = testEnvironment
            environment["MOMENTUM_API_KEY"] = "momentum-key-2468"
            try await withEngine(pluginsDir: plugins, environment: environment) { engine, _ in
                #expect(await engine.runCycle(symbols: ["UPTR"]).signals.first?.sources["momentum"] == nil)
            }
            try plugin.write(toFile: plugins + "/momentum.lua", atomically: true, encoding: .utf8)
            try await withEngine(pluginsDir: plugins, environment: environment, grants: ["momentum": ["MOMENTUM_API_KEY"]]) { engine, sim in
                let signal = try #require(await engine.runCycle(symbols: ["UPTR"]).signals.first)
                let momentum = try #require(signal.sources["momentum"])
                #expect(momentum.status == .ok && momentum.direction == .long && momentum.weight == 0.3)
                #expect(signal.reasoning.contains("momentum"))
                #expect(sim.stats.routes["example"]?.requests == 1)
            }
        }
    }
}
