import ArgoCore
@testable import ArgoEngine
import ArgoFetch
import ArgoLua
@testable import ArgoPlugins
import Foundation
import Testing

/// What `request` may return, read by the host: one request or named ones,
/// query and header values of every scalar type, a byte-exact body, and a
/// clear error for each shape that is no request.
@Suite("Engine: request shapes")
struct RequestShapeTests {
    static let plugin = #"""
        return {
          name = "shapes", weight = 0.1, base_url = "http://127.0.0.1:1",
          request = function(symbol, ctx)
            if symbol == "FULL" then
              return { method = "post", path = "/v1/x y", max_items = 16.0,
                       query = { b = 2, a = "one", c = 1.5, d = true, e = false, f = 3e15, g = -7 },
                       headers = { ["X-Key"] = ctx.env.KEY, Accept = "application/json" },
                       body = "raw \0 bytes \255" }
            end
            if symbol == "TABLEBODY" then return { path = "/", body = { z = 1, list = { 1, 2 } } } end
            if symbol == "NAMED" then
              return { rsi = { path = "/rsi", query = { n = 14 } }, macd = { path = "/macd", headers = {} } }
            end
            if symbol == "EMPTYQUERY" then return { path = "/", query = {}, headers = nil } end
            if symbol == "NOPATH" then return { method = "GET" } end
            if symbol == "NUMPATH" then return { path = 5 } end
            if symbol == "LISTQUERY" then return { path = "/", query = { "a", "b" } } end
            if symbol == "STRQUERY" then return { path = "/", query = "a=b" } end
            if symbol == "NESTED" then return { path = "/", query = { a = { 1 } } } end
            if symbol == "NUMKEY" then return { path = "/", headers = { [1] = "x", b = "y" } } end
            if symbol == "BADMAX" then return { path = "/", max_items = 0 } end
            if symbol == "HALFMAX" then return { path = "/", max_items = 2.5 } end
            if symbol == "STRMAX" then return { path = "/", max_items = "3" } end
            if symbol == "NAMEDEMPTY" then return {} end
            if symbol == "NAMEDBAD" then return { rsi = { path = "/rsi" }, macd = "nope" } end
            if symbol == "NOTATABLE" then return "GET /" end
            return { path = "/" .. symbol }
          end,
          parse = function(response, symbol, ctx) return { direction = "NEUTRAL", confidence = 0, reasoning = "" } end,
        }
        """#

    static func host() throws -> PluginHost {
        let directory = PluginDirectory(
            path: "plugins", files: [.init(path: "plugins/shapes.lua", stem: "shapes", source: Self.plugin)], library: LuaLibrary())
        return try PluginHost(directory: directory, consensus: nil, poolSize: 1)
    }

    static let ctx = PluginContext(env: ["KEY": "secret-key-1"], now: 1_764_000_000, barsNeeded: 260)

    static func request(_ host: PluginHost, _ symbol: String) async -> Result<[String?: PluginRequest], FetchError> {
        do {
            return .success(try await host.request("shapes", symbol: symbol, ctx: ctx, redactor: Redactor(secrets: ["secret-key-1"])))
        } catch {
            return .failure(error)
        }
    }

    @Test("one full request: method upper-cased, query sorted with every scalar type written out, headers, a byte-exact body, max_items")
    func fullRequest() async throws {
        let host = try Self.host()
        let request = try #require(try await Self.request(host, "FULL").get()[nil])
        #expect(request.method == "POST" && request.path == "/v1/x y" && request.maxItems == 16)
        #expect(request.query == [.init("a", "one"), .init("b", "2"), .init("c", "1.5"), .init("d", "true"), .init("e", "false"),
                                  .init("f", "3000000000000000.0"), .init("g", "-7")])
        #expect(request.headers == [.init("Accept", "application/json"), .init("X-Key", "secret-key-1")])
        #expect(request.body == Array("raw ".utf8) + [0] + Array(" bytes ".utf8) + [255])
    }

    @Test("a table body is JSON-encoded with a Content-Type; named requests; empty and absent tables")
    func bodiesAndNames() async throws {
        let host = try Self.host()
        let encoded = try #require(try await Self.request(host, "TABLEBODY").get()[nil])
        #expect(encoded.headers == [.init("Content-Type", "application/json")])
        let body = try #require(encoded.body)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(json["z"] as? Int == 1 && json["list"] as? [Int] == [1, 2])
        let named = try await Self.request(host, "NAMED").get()
        #expect(Set(named.keys) == ["rsi", "macd"])
        #expect(named["rsi"]?.path == "/rsi" && named["rsi"]?.query == [.init("n", "14")] && named["macd"]?.headers == [])
        let empty = try #require(try await Self.request(host, "EMPTYQUERY").get()[nil])
        #expect(empty.query.isEmpty && empty.headers.isEmpty && empty.method == "GET" && empty.body == nil && empty.maxItems == nil)
    }

    @Test("each shape that is no request is one clear error naming the plugin and the field", arguments: [
        ("NOPATH", "the request: 'path' must be a string"),
        ("NUMPATH", "the request: 'path' must be a string"),
        ("LISTQUERY", "shapes: request 'query' must be a table of names to values"),
        ("STRQUERY", "shapes: request 'query' must be a table of names to values"),
        ("NESTED", "shapes: request query 'a' must be a string or number, got table"),
        ("NUMKEY", "shapes: request 'headers' keys must be strings"),
        ("BADMAX", "shapes: request 'max_items' must be a positive integer, got 0.0"),
        ("HALFMAX", "shapes: request 'max_items' must be a positive integer, got 2.5"),
        ("STRMAX", "shapes: request 'max_items' must be a positive integer, got string"),
        ("NAMEDEMPTY", "shapes.request returned an empty table of named requests"),
        ("NAMEDBAD", "request 'macd' must be a table, got string"),
        ("NOTATABLE", "request must return a table, got string"),
    ])
    func badShapes(symbol: String, message: String) async throws {
        let host = try Self.host()
        guard case .failure(let error) = await Self.request(host, symbol) else {
            Issue.record("\(symbol) was taken as a request")
            return
        }
        #expect(error.kind == .plugin)
        #expect(error.message.contains(message), "\(error.message)")
    }
}
