import ArgoCore
@testable import ArgoEngine
import ArgoFetch
import ArgoLua
import ArgoPlugins
import Foundation
import Testing

@Suite("Engine: a request's max_items prunes its JSON response as it arrives")
struct MaxItemsTests {
    /// The probes read Alpha Vantage's key, so they are granted it.
    let grants = ["pruned": ["ALPHAVANTAGE_API_KEY"], "whole": ["ALPHAVANTAGE_API_KEY"], "bad": ["ALPHAVANTAGE_API_KEY"]]

    /// A source on the simulator's Alpha Vantage RSI route (the whole history,
    /// newest first) that reports the body it was given.
    static func probe(_ name: String, maxItems: String) -> String {
        """
        return {
          name = "\(name)", weight = 0.1, base_url = "http://127.0.0.1:1", env = { "ALPHAVANTAGE_API_KEY" },
          request = function(symbol, ctx)
            return { path = "/query", max_items = \(maxItems),
                     query = { ["function"] = "RSI", symbol = symbol, interval = "daily", time_period = 14,
                               series_type = "close", apikey = ctx.env.ALPHAVANTAGE_API_KEY } }
          end,
          parse = function(response, symbol, ctx)
            local series, count, newest = response.json["Technical Analysis: RSI"], 0, ""
            for date in pairs(series) do count = count + 1; if date > newest then newest = date end end
            return { direction = "NEUTRAL", confidence = 0.1, reasoning = #response.body .. " " .. count .. " " .. newest }
          end,
        }
        """
    }

    @Test("the plugin sees only the first N entries of each container, the newest included; an unpruned request on the same URL gets the whole body")
    func prunedResponse() async throws {
        try await withTemporaryDirectory { directory in
            let plugins = try pluginsCopy(in: directory, extra: [
                "pruned.lua": Self.probe("pruned", maxItems: "3"),
                "whole.lua": Self.probe("whole", maxItems: "nil"),
            ])
            try await withEngine(pluginsDir: plugins, grants: grants) { engine, _ in
                let signal = try #require(await engine.runCycle(symbols: ["AAPL"]).signals.first)
                let pruned = try #require(signal.sources["pruned"]?.reasoning).split(separator: " ")
                let whole = try #require(signal.sources["whole"]?.reasoning).split(separator: " ")
                let (prunedBytes, wholeBytes) = (Int(pruned[0]) ?? 0, Int(whole[0]) ?? 0)
                #expect(pruned[1] == "3", "three dates kept")
                #expect(Int(whole[1]) ?? 0 > 100, "the whole history")
                #expect(pruned[2] == whole[2], "the newest date is among those kept")
                #expect(prunedBytes < 2_000 && wholeBytes > 20 * prunedBytes, "\(prunedBytes) bytes pruned, \(wholeBytes) whole")
                #expect(signal.sources["alpha_vantage"]?.status == .ok, "the shipped plugin prunes to 16 and still reads its signal")
            }
        }
    }

    @Test("a max_items that is not a positive integer is the plugin's error, named", arguments: ["0", "2.5", "'16'"])
    func badMaxItems(value: String) async throws {
        try await withTemporaryDirectory { directory in
            let plugins = try pluginsCopy(in: directory, extra: ["bad.lua": Self.probe("bad", maxItems: value)])
            try await withEngine(pluginsDir: plugins, grants: grants) { engine, _ in
                let signal = try #require(await engine.runCycle(symbols: ["AAPL"]).signals.first)
                let bad = try #require(signal.sources["bad"])
                #expect(bad.errorKind == "plugin")
                #expect(bad.error?.contains("bad: request 'max_items' must be a positive integer") == true, "\(bad.error ?? "")")
                #expect(signal.sources["alpaca"]?.status == .ok)
            }
        }
    }

    @Test("an example's recorded body is pruned as a cycle's would be")
    func examplesPruned() async throws {
        try await withTemporaryDirectory { directory in
            let plugins = try pluginsCopy(in: directory, extra: ["pruned.lua": Self.probe("pruned", maxItems: "2")])
            try await withEngine(pluginsDir: plugins, grants: grants) { engine, _ in
                let body = #"{"Technical Analysis: RSI": {"2026-11-21": {"RSI": "1"}, "2026-11-20": {"RSI": "2"}, "2026-11-19": {"RSI": "3"}}}"#
                let response = FetchResponse(status: 200, headers: [], body: Array(body.utf8), attempts: 0, latency: 0, cacheKey: "example")
                let outcome = await engine.host.run("pruned", responses: [nil: response], symbol: "AAPL",
                                                    ctx: PluginContext(env: ["ALPHAVANTAGE_API_KEY": "k"], now: 0, barsNeeded: 260))
                let reasoning = try #require(outcome.signal?.2)
                #expect(reasoning.hasSuffix(" 2 2026-11-21"), "\(reasoning)")
            }
        }
    }
}
