@testable import ArgoSimulator
import Foundation
import Testing

@Suite("Simulator: xAI and Perplexity chat completions")
struct ChatRoutesTests {
    static func request(model: String, symbol: String) -> String {
        #"{"model":"\#(model)","messages":[{"role":"system","content":"Answer with JSON only."},{"role":"user","content":"What is the news sentiment on $\#(symbol) this week?"}],"temperature":0}"#
    }

    /// The JSON object inside the assistant's content, however it is wrapped.
    static func sentiment(in content: String) throws -> [String: Any] {
        let start = try #require(content.firstIndex(of: "{"))
        let end = try #require(content.lastIndex(of: "}"))
        return try #require(try JSONSerialization.jsonObject(with: Data(content[start...end].utf8)) as? [String: Any])
    }

    static func content(of response: RawHTTPClient.Response) throws -> String {
        let object = try #require(try response.json() as? [String: Any])
        let choice = try #require((object["choices"] as? [[String: Any]])?.first)
        return try #require((choice["message"] as? [String: Any])?["content"] as? String)
    }

    @Test("xAI: OpenAI shape with a UUID id, refusal null, reasoning tokens; sentiment sign follows the trend")
    func xaiSentiment() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            let auth = ["Authorization": "Bearer xai-test"]
            let up = try client.post("/v1/chat/completions", json: Self.request(model: "grok-4-1-fast-reasoning", symbol: "UPTR"), headers: auth)
            #expect(up.status == 200)
            let object = try #require(try up.json() as? [String: Any])
            #expect(UUID(uuidString: object["id"] as? String ?? "") != nil)
            #expect(object["object"] as? String == "chat.completion")
            let message = try #require(((object["choices"] as? [[String: Any]])?.first?["message"]) as? [String: Any])
            #expect(message["refusal"] is NSNull)
            let usage = try #require(object["usage"] as? [String: Any])
            let details = try #require(usage["completion_tokens_details"] as? [String: Any])
            #expect(usage["total_tokens"] as? Int == (usage["prompt_tokens"] as! Int) + (usage["completion_tokens"] as! Int) + (details["reasoning_tokens"] as! Int))
            #expect((try Self.sentiment(in: Self.content(of: up))["score"] as? Double ?? 0) > 0)
            let down = try client.post("/v1/chat/completions", json: Self.request(model: "grok-4-1-fast-reasoning", symbol: "DNTR"), headers: auth)
            let bearish = try Self.sentiment(in: Self.content(of: down))
            #expect((bearish["score"] as? Double ?? 0) < 0)
            #expect(bearish["sentiment"] as? String == "bearish")
            #expect(sim.stats.routes["xai"]?.bySymbol == ["UPTR": 1, "DNTR": 1])
        }
    }

    @Test("xAI errors use its own envelope: 401 without a key, 415 without JSON, 404 for an unknown model")
    func xaiErrors() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            let noKey = try client.post("/v1/chat/completions", json: Self.request(model: "grok-4", symbol: "AAPL"))
            #expect(noKey.status == 401)
            #expect(try noKey.json() as? [String: String] == ["code": "unauthenticated", "error": "Incorrect API key provided."])
            let notJSON = try client.send("POST", "/v1/chat/completions", headers: ["Authorization": "Bearer k"], body: Data())
            #expect(notJSON.status == 415)
            let model = try client.post("/v1/chat/completions", json: Self.request(model: "gpt-4", symbol: "AAPL"), headers: ["Authorization": "Bearer k"])
            #expect(model.status == 404)
            #expect((try model.json() as? [String: String])?["error"]?.contains("The model gpt-4 does not exist") == true)
            sim.setKnobs({ var k = RouteKnobs(); k.tooManyRequestsEvery = 1; return k }(), for: .xai)
            let limited = try client.post("/v1/chat/completions", json: Self.request(model: "grok-4", symbol: "AAPL"), headers: ["Authorization": "Bearer k"])
            #expect(limited.status == 429)
            #expect((try limited.json() as? [String: String])?["code"] == "Some resource has been exhausted")
        }
    }

    @Test("Perplexity: Python-style separators, citations as strings, search results, a vestigial delta")
    func perplexityShape() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            let response = try client.post("/chat/completions", json: Self.request(model: "sonar", symbol: "CRSH"), headers: ["Authorization": "Bearer pplx-test"])
            #expect(response.status == 200)
            #expect(response.text.hasPrefix(#"{"id": ""#))
            #expect(!response.text.contains(#"",""#), "separators are \", \" as Python prints them")
            let object = try #require(try response.json() as? [String: Any])
            let citations = try #require(object["citations"] as? [String])
            #expect(citations.count == 3 && citations.allSatisfy { $0.hasPrefix("https://") })
            let results = try #require(object["search_results"] as? [[String: Any]])
            #expect(results.count == 3 && results[2]["last_updated"] is NSNull)
            let choice = try #require((object["choices"] as? [[String: Any]])?.first)
            #expect((choice["delta"] as? [String: String])?["content"] == "")
            #expect((try Self.sentiment(in: Self.content(of: response))["score"] as? Double ?? 0) < 0, "a crash reads bearish")
        }
    }

    @Test("Perplexity errors: openresty HTML 401, invalid model 400, FastAPI 422")
    func perplexityErrors() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            let noKey = try client.post("/chat/completions", json: Self.request(model: "sonar", symbol: "AAPL"))
            #expect(noKey.status == 401)
            #expect(noKey.headers["content-type"] == "text/html")
            #expect(noKey.text.contains("openresty"))
            let model = try client.post("/chat/completions", json: Self.request(model: "bad model", symbol: "AAPL"), headers: ["Authorization": "Bearer k"])
            #expect(model.status == 400)
            let error = try #require((try model.json() as? [String: Any])?["error"] as? [String: Any])
            #expect(error["type"] as? String == "invalid_model" && error["code"] as? Int == 400)
            let missing = try client.post("/chat/completions", json: #"{"model":"sonar"}"#, headers: ["Authorization": "Bearer k"])
            #expect(missing.status == 422)
            #expect((try missing.json() as? [String: Any])?["detail"] is [[String: Any]])
        }
    }

    @Test("every wrapping appears across symbols, and each still holds one parsable JSON object")
    func wrappings() throws {
        let market = SimulatedMarket(today: TradingDay(year: 2026, month: 11, day: 24))
        var seen: Set<String> = []
        for symbol in ["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META", "GOOGL", "UPTR", "DNTR", "FLAT", "CRSH", "SPY"] {
            let sentiment = try #require(ChatSentiment(symbol: symbol, market: market))
            let wrapping = ChatSentiment.wrapping(vendor: "xai", symbol: symbol)
            let content = sentiment.content(wrapping)
            seen.insert("\(wrapping)")
            #expect(try Self.sentiment(in: content)["symbol"] as? String == symbol)
            if wrapping == .fenced { #expect(content.hasPrefix("```json\n")) }
            if wrapping == .prose { #expect(!content.hasPrefix("{")) }
        }
        #expect(seen == ["bare", "fenced", "prose"])
        #expect(jsonQuoted("a\"b\\c\n\u{1}") == #""a\"b\\c\n\u0001""#)
    }

    static let schema = #""response_format":{"type":"json_schema","json_schema":{"name":"sentiment","strict":true,"schema":{"type":"object","properties":{"score":{"type":"number"}},"required":["score"],"additionalProperties":false}}}"#

    @Test("with a JSON Schema in response_format both vendors answer with the bare JSON; a nameless schema is refused")
    func structuredOutputs() async throws {
        try await withSimulator { sim in
            let client = try RawHTTPClient(port: sim.port)
            let auth = ["Authorization": "Bearer test"]
            // A symbol each vendor wraps in prose without a schema.
            let symbols = ["AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "META", "GOOGL", "SPY"]
            let xaiProse = try #require(symbols.first { ChatSentiment.wrapping(vendor: "xai", symbol: $0) == .prose })
            let sonarProse = try #require(symbols.first { ChatSentiment.wrapping(vendor: "perplexity", symbol: $0) == .prose })
            for (path, model, symbol) in [("/v1/chat/completions", "grok-4-1-fast-non-reasoning", xaiProse), ("/chat/completions", "sonar", sonarProse)] {
                let plain = try client.post(path, json: Self.request(model: model, symbol: symbol), headers: auth)
                #expect(!(try Self.content(of: plain)).hasPrefix("{"), "\(path): prose without a schema")
                let bound = Self.request(model: model, symbol: symbol).dropLast() + "," + Self.schema + "}"
                let structured = try client.post(path, json: String(bound), headers: auth)
                #expect(structured.status == 200)
                let content = try Self.content(of: structured)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(content.utf8)) as? [String: Any], "\(path): \(content)")
                #expect(object["symbol"] as? String == symbol)
                let nameless = Self.request(model: model, symbol: symbol).dropLast() + #","response_format":{"type":"json_schema","json_schema":{"schema":{}}}}"#
                #expect(try client.post(path, json: String(nameless), headers: auth).status == 422)
            }
        }
    }
}
