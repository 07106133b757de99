import ArgoCore
@testable import ArgoEngine
import ArgoFetch
import ArgoLua
@testable import ArgoPlugins
import Foundation
import Testing

/// What `parse` may return, read by the host: bars straight off the Lua stack, or a signal.
@Suite("Engine: parse results")
struct ParseResultTests {
    static let plugin = """
        return {
          name = "shapes", chain = "market_data", priority = 5, weight = 0.1, base_url = "http://127.0.0.1:1",
          request = function(symbol, ctx) return { path = "/" } end,
          parse = function(response, symbol, ctx)
            if symbol == "MIXED" then
              return { bars = {
                { t = "2025-11-20T05:00:00Z", o = 1, h = 2, l = 0.5, c = 1.5, v = 10 },
                { t = 1763701200, o = 1.5, h = 2.5, l = 1, c = 2 },
                { t = 1763787600000, o = 2.0, h = 3, l = 1, c = 2.5, v = 7.5 },
              }, next = { path = "/page2", query = { page_token = "abc" } } }
            end
            if symbol == "HOLE" then return { bars = { { t = 1763701200, o = 1, h = 1, l = 1, c = 1 }, "not a bar" } } end
            if symbol == "NOCLOSE" then return { bars = { { t = 1763701200, o = 1, h = 1, l = 1, c = 0 } } } end
            if symbol == "NOTLIST" then return { bars = "nope" } end
            if symbol == "KEYED" then return { bars = { first = { t = 1, o = 1, h = 1, l = 1, c = 1 } } } end
            if symbol == "EMPTY" then return { bars = {} } end
            if symbol == "COLUMNS" then
              return { columns = { t = { 1763614800, 1763701200, 1763787600, 1763874000 },
                                   o = { 1, json.null, 2, 3 }, h = { 2, 2, 3, 4 }, l = { 0.5, 1, 1, 2 },
                                   c = { 1.5, 2, 2.5, 3.5 }, v = { 10, 5, json.null } } }
            end
            if symbol == "BADCOLUMN" then return { columns = { t = { 1763614800 }, o = { 1 }, h = { 1 }, l = { 1 }, c = { "x" } } } end
            if symbol == "COLUMNSTRING" then return { columns = { t = { 1 }, o = "nope" } } end
            if symbol == "NOTHING" then return 42 end
            if symbol == "ECHO" then
              return { direction = "NEUTRAL", confidence = 0,
                       reasoning = response.status .. " " .. tostring(response.headers["X-Rate"]) .. " " .. response.body }
            end
            return { direction = "long", confidence = 0.5, reasoning = "a signal wins", bars = "ignored" }
          end,
          signal = function(ind, symbol, ctx) return { direction = "NEUTRAL", confidence = 0, reasoning = "" } end,
        }
        """

    @Test("parse gets the response's status, headers (a repeated name keeps its last value) and body")
    func responseFields() async throws {
        let directory = PluginDirectory(
            path: "plugins", files: [.init(path: "plugins/shapes.lua", stem: "shapes", source: Self.plugin)], library: LuaLibrary())
        let host = try PluginHost(directory: directory, consensus: nil, poolSize: 1)
        let response = FetchResponse(status: 203, headers: [("X-Rate", "1"), ("Content-Type", "text/plain"), ("X-Rate", "7")],
                                     body: Array("hello".utf8), attempts: 1, latency: 0, cacheKey: "k")
        let outcome = try await host.parse("shapes", responses: [nil: response], symbol: "ECHO", ctx: PluginContext(now: 0, barsNeeded: 260), redactor: Redactor(secrets: []))
        #expect(outcome == .signal(.neutral, confidence: 0, reasoning: "203 7 hello"))
    }

    func parse(_ symbol: String) async throws -> ParseOutcome {
        let directory = PluginDirectory(
            path: "plugins", files: [.init(path: "plugins/shapes.lua", stem: "shapes", source: Self.plugin)], library: LuaLibrary())
        let host = try PluginHost(directory: directory, consensus: nil, poolSize: 1)
        let response = FetchResponse(status: 200, headers: [], body: Array("{}".utf8), attempts: 1, latency: 0, cacheKey: "k")
        return try await host.parse("shapes", responses: [nil: response], symbol: symbol, ctx: PluginContext(now: 0, barsNeeded: 260), redactor: Redactor(secrets: []))
    }

    @Test("bars with RFC 3339, seconds and milliseconds stamps, integer and float prices, and a next page")
    func mixedBars() async throws {
        guard case .bars(let bars, let next) = try await parse("MIXED") else { Issue.record("not bars"); return }
        #expect(bars == [
            Bar(t: 1_763_614_800, o: 1, h: 2, l: 0.5, c: 1.5, v: 10),
            Bar(t: 1_763_701_200, o: 1.5, h: 2.5, l: 1, c: 2, v: 0),
            Bar(t: 1_763_787_600, o: 2, h: 3, l: 1, c: 2.5, v: 7.5),
        ])
        #expect(next?.path == "/page2")
        #expect(next?.query.map(\.name) == ["page_token"])
    }

    @Test("columns, as a chart API sends them: rows with a null price skipped, a null or missing volume is 0")
    func columns() async throws {
        guard case .bars(let bars, let next) = try await parse("COLUMNS") else { Issue.record("not bars"); return }
        #expect(bars == [
            Bar(t: 1_763_614_800, o: 1, h: 2, l: 0.5, c: 1.5, v: 10),
            Bar(t: 1_763_787_600, o: 2, h: 3, l: 1, c: 2.5, v: 0),
            Bar(t: 1_763_874_000, o: 3, h: 4, l: 2, c: 3.5, v: 0),
        ])
        #expect(next == nil)
    }

    @Test("an empty list is no bars; a signal wins over a bars field")
    func emptyAndSignal() async throws {
        #expect(try await parse("EMPTY") == .bars([], next: nil))
        #expect(try await parse("ANY") == .signal(.long, confidence: 0.5, reasoning: "a signal wins"))
    }

    @Test("a bad bar or a bad result is one error naming the plugin", arguments: [
        ("HOLE", "shapes.parse: bar 2 lacks t, o, h, l or a positive c"),
        ("NOCLOSE", "shapes.parse: bar 1 lacks t, o, h, l or a positive c"),
        ("NOTLIST", "shapes.parse must return { bars = {...} }"),
        ("KEYED", "shapes.parse must return { bars = {...} }"),
        ("NOTHING", "parse must return a table, got number"),
        ("BADCOLUMN", "shapes.parse: bar 1 lacks t, o, h, l or a positive c"),
        ("COLUMNSTRING", "shapes.parse must return { bars = {...} }, { columns = {...} }"),
    ])
    func badResults(symbol: String, message: String) async throws {
        do {
            _ = try await parse(symbol)
            Issue.record("\(symbol) parsed")
        } catch let error as FetchError {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }
}
