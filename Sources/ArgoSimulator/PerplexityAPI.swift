import Foundation

/// Perplexity Sonar chat completions (UPSTREAMS.md §6): `POST /chat/completions`,
/// Bearer auth, bodies serialised Python-style (`", "` and `": "` separators),
/// `citations` as URL strings, `search_results` objects, a vestigial `delta` in
/// each choice, an openresty HTML 401 and `{"error": {message, type, code}}` otherwise.
struct PerplexityAPI: SimulatedAPI {
    let route = SimulatedRoute.perplexity
    static let models: Set<String> = ["sonar", "sonar-pro", "sonar-reasoning", "sonar-reasoning-pro", "sonar-deep-research"]

    func matches(_ request: SimulatedRequest) -> Bool { request.path == "/chat/completions" || request.path == "/v1/sonar" }

    func symbol(of request: SimulatedRequest) -> String? { try? ChatRequest(body: request.body).ticker }

    static func envelope(_ status: Int, message: String, type: String) -> SimulatedResponse {
        .json(status, #"{"error": {"message": \#(jsonQuoted(message)), "type": \#(jsonQuoted(type)), "code": \#(status)}}"#)
    }

    static let unauthorizedHTML = "<html>\n<head><title>401 Authorization Required</title></head>\n<body>\n<center><h1>401 Authorization Required</h1></center>\n<hr><center>openresty/1.27.4</center>\n</body>\n</html>\n"

    func respond(to request: SimulatedRequest, market: SimulatedMarket, knobs: RouteKnobs) -> SimulatedResponse {
        guard request.bearerToken != nil else { return .text(401, Self.unauthorizedHTML, contentType: "text/html") }
        guard request.method == "POST" else { return Self.envelope(405, message: "Method Not Allowed", type: "invalid_request") }
        let chat: ChatRequest
        do { chat = try ChatRequest(body: request.body) } catch {
            let (loc, msg) = switch error {
            case .notJSON: (#"["body"]"#, "JSON decode error")
            case .missingField(let field): (#"["body", \#(jsonQuoted(field))]"#, "Field required")
            case .badSchema(let problem): (#"["body", "response_format"]"#, problem)
            }
            return .json(422, #"{"detail": [{"loc": \#(loc), "msg": \#(jsonQuoted(msg)), "type": "value_error"}]}"#)
        }
        guard Self.models.contains(chat.model) else {
            return Self.envelope(400, message: "Invalid model '\(chat.model)'. Permitted models can be found in the documentation at https://docs.perplexity.ai/guides/model-cards.", type: "invalid_model")
        }
        var content: String
        var citations: [String] = []
        var results: [String] = []
        if let ticker = chat.ticker, market.isListed(ticker), let sentiment = ChatSentiment(symbol: ticker, market: market) {
            if chat.schemaName != nil {
                content = sentiment.json
            } else {
                content = sentiment.content(ChatSentiment.wrapping(vendor: "perplexity", symbol: ticker))
                if ChatSentiment.wrapping(vendor: "perplexity", symbol: ticker) == .prose { content += " [1][2]" }
            }
            for (index, site) in ["reuters.com", "finance.yahoo.com", "marketwatch.com"].enumerated() {
                let url = "https://www.\(site)/markets/\(ticker.lowercased())-\(market.today)-\(index + 1)"
                citations.append(jsonQuoted(url))
                results.append(#"{"title": \#(jsonQuoted("\(ticker) shares: what moved the stock this month")), "url": \#(jsonQuoted(url)), "date": "\#(market.today.adding(days: -index))", "last_updated": \#(index == 2 ? "null" : "\"\(market.today)\""), "snippet": \#(jsonQuoted("\(ticker) \(sentiment.label) coverage, \(format(sentiment.returnPercent, decimals: 1))% over 20 sessions."))}"#)
            }
        } else {
            content = #"{"symbol": \#(jsonQuoted(chat.ticker ?? "")), "sentiment": "neutral", "score": 0, "confidence": 0.1, "summary": "No relevant search results were found."}"#
        }
        let prompt = ChatRequest.tokens(chat.messages.map(\.content).joined())
        let completion = ChatRequest.tokens(content)
        let body = #"{"id": "\#(UUID().uuidString.lowercased())", "model": \#(jsonQuoted(chat.model)), "created": \#(market.today.sessionOpen + 3_600), "usage": {"prompt_tokens": \#(prompt), "completion_tokens": \#(completion), "total_tokens": \#(prompt + completion), "search_context_size": "low", "cost": {"input_tokens_cost": 0.0, "output_tokens_cost": 0.0, "request_cost": 0.005, "total_cost": 0.005}}, "citations": [\#(citations.joined(separator: ", "))], "search_results": [\#(results.joined(separator: ", "))], "object": "chat.completion", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": \#(jsonQuoted(content))}, "delta": {"role": "assistant", "content": ""}}]}"#
        return .json(200, body)
    }

    func errorResponse(status: Int) -> SimulatedResponse {
        switch status {
        case 401: .text(401, Self.unauthorizedHTML, contentType: "text/html")
        case 429: rateLimitResponse(retryAfter: nil)
        case 500..<600: Self.envelope(status, message: "Internal server error", type: "internal_server_error")
        default: Self.envelope(status, message: "simulated upstream error (HTTP \(status))", type: "invalid_request")
        }
    }

    func rateLimitResponse(retryAfter: Int?) -> SimulatedResponse {
        var response = Self.envelope(429, message: "Rate limit exceeded", type: "rate_limit_exceeded")
        if let retryAfter { response.headers.append(("Retry-After", "\(retryAfter)")) }
        return response
    }
}
