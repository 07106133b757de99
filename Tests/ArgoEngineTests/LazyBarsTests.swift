import ArgoCore
@testable import ArgoEngine
import ArgoFetch
import ArgoLua
@testable import ArgoPlugins
import Foundation
import Testing

/// `response.json` decodes long arrays lazily: bars a plugin returns untouched
/// are read by the host from the body, and must come out as when the plugin
/// touched them (decoded into Lua tables).
@Suite("Engine: bars read from the body equal bars decoded into Lua")
struct LazyBarsTests {
    /// The shipped plugin `stem`, and a copy named `<stem>_touched` whose parse
    /// first runs `touch` (Lua, after the line containing `anchor`).
    static func host(_ stem: String, anchor: String, touch: String) throws -> PluginHost {
        let source = try String(contentsOfFile: Repo.plugins + "/\(stem).lua", encoding: .utf8)
        var lines = source.components(separatedBy: "\n")
        let at = try #require(lines.firstIndex { $0.contains(anchor) }, "\(stem).lua has '\(anchor)'")
        lines.insert(touch, at: at + 1)
        let touched = lines.joined(separator: "\n").replacingOccurrences(of: #"name = "\#(stem)""#, with: #"name = "\#(stem)_touched""#)
        let directory = PluginDirectory(
            path: "plugins",
            files: [
                .init(path: "plugins/\(stem).lua", stem: stem, source: source),
                .init(path: "plugins/\(stem)_touched.lua", stem: "\(stem)_touched", source: touched),
            ],
            library: try LuaLibrary.load(directory: Repo.plugins + "/lib"))
        return try PluginHost(directory: directory, consensus: nil, poolSize: 1)
    }

    static func parse(_ host: PluginHost, _ plugin: String, body: String) async -> Result<ParseOutcome, FetchError> {
        let response = FetchResponse(status: 200, headers: [], body: Array(body.utf8), attempts: 1, latency: 0, cacheKey: "k")
        do {
            return .success(try await host.parse(plugin, responses: [nil: response], symbol: "AAPL", ctx: PluginContext(now: 0, barsNeeded: 260), redactor: Redactor(secrets: [])))
        } catch {
            return .failure(error)
        }
    }

    static func alpacaBody(days: Int, malformedAt: Int? = nil) -> String {
        let start = 1_700_000_000
        let bars = (0..<days).map { day -> String in
            let close = day == malformedAt ? "0\(day)" : String(100 + Double(day) * 0.37)
            let stamp = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(start + day * 86_400)))
            return #"{"c":\#(close),"h":\#(101.5 + Double(day)),"l":\#(99.25 + Double(day)),"n":\#(600_000 + day),"o":\#(100 + day),"t":"\#(stamp)","v":\#(50_000_000 + day * 17),"vw":\#(100.1 + Double(day))}"#
        }
        return #"{"bars":[\#(bars.joined(separator: ","))],"symbol":"AAPL","next_page_token":null}"#
    }

    @Test("Alpaca: 300 bars read from the body are the bars the plugin sees when it touches them")
    func alpacaBars() async throws {
        let host = try Self.host("alpaca", anchor: "local bars = list", touch: "    local _ = #list")
        let body = Self.alpacaBody(days: 300)
        let untouched = try await Self.parse(host, "alpaca", body: body).get()
        let touched = try await Self.parse(host, "alpaca_touched", body: body).get()
        guard case .bars(let bars, _) = untouched else { Issue.record("no bars: \(untouched)"); return }
        #expect(bars.count == 300)
        #expect(untouched == touched)
    }

    @Test("Alpaca: a malformed price among the bars is the source's bad_response, touched or not")
    func alpacaMalformed() async throws {
        let host = try Self.host("alpaca", anchor: "local bars = list", touch: "    local _ = #list")
        let body = Self.alpacaBody(days: 300, malformedAt: 250)
        for plugin in ["alpaca", "alpaca_touched"] {
            guard case .failure(let error) = await Self.parse(host, plugin, body: body) else {
                Issue.record("\(plugin): a malformed body parsed")
                continue
            }
            #expect(error.kind == .badResponse, "\(plugin): \(error)")
            #expect(error.message.contains("body is not JSON") && error.message.contains("leading zero"), "\(plugin): \(error.message)")
        }
    }

    @Test("Yahoo: columns read from the body, null rows skipped, are the columns the plugin sees when it touches them")
    func yahooColumns() async throws {
        let host = try Self.host(
            "yfinance", anchor: "local quote = result.indicators.quote[1]",
            touch: "    for _, k in ipairs({ 'open', 'high', 'low', 'close', 'volume' }) do local _ = #quote[k] end local _ = #timestamps")
        let days = 260
        func column(_ value: (Int) -> String) -> String { "[" + (0..<days).map(value).joined(separator: ",") + "]" }
        let body = #"""
            {"chart":{"result":[{"meta":{"symbol":"AAPL"},"timestamp":\#(column { String(1_700_000_000 + $0 * 86_400) }),
            "indicators":{"quote":[{"open":\#(column { $0 % 50 == 7 ? "null" : "\(100.123456789012345 + Double($0))" }),
            "high":\#(column { "\(101.5 + Double($0))" }),"low":\#(column { "\(99.0 + Double($0))" }),
            "close":\#(column { "\(100.25 + Double($0) * 0.5)" }),"volume":\#(column { $0 % 90 == 3 ? "null" : "\(40_000_000 + $0)" })}],
            "adjclose":[{"adjclose":\#(column { "\(100.25 + Double($0) * 0.5)" })}]}}],"error":null}}
            """#
        let untouched = try await Self.parse(host, "yfinance", body: body).get()
        let touched = try await Self.parse(host, "yfinance_touched", body: body).get()
        guard case .bars(let bars, _) = untouched else { Issue.record("no bars: \(untouched)"); return }
        #expect(bars.count == days - 6, "the rows with a null open are skipped")
        #expect(untouched == touched)
    }
}
