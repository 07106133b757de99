import Foundation

/// xAI Grok chat completions (UPSTREAMS.md §5): `POST /v1/chat/completions`,
/// Bearer auth, OpenAI-shaped bodies with a UUID `id`, `refusal: null`, reasoning
/// tokens in `usage`, and xAI's own error envelope `{"code", "error"}` (not OpenAI's).
struct XAIAPI: SimulatedAPI {
    let route = SimulatedRoute.xai

    func matches(_ request: SimulatedRequest) -> Bool { request.path == "/v1/chat/completions" }

    func symbol(of request: SimulatedRequest) -> String? { try? ChatRequest(body: request.body).ticker }

    static func envelope(_ status: Int, code: String, error: String) -> SimulatedResponse {
        .json(status, #"{"code":\#(jsonQuoted(code)),"error":\#(jsonQuoted(error))}"#)
    }

    func respond(to request: SimulatedRequest, market: SimulatedMarket, knobs: RouteKnobs) -> SimulatedResponse {
        guard request.method == "POST" else {
            return Self.envelope(405, code: "Method not allowed", error: "Use POST for /v1/chat/completions.")
        }
        guard request.bearerToken != nil else {
            return Self.envelope(401, code: "unauthenticated", error: "Incorrect API key provided.")
        }
        guard request.headers["content-type"]?.lowercased().hasPrefix("application/json") == true, !request.body.isEmpty else {
            return Self.envelope(415, code: "Client specified an invalid argument", error: "Expected a JSON body with Content-Type: application/json.")
        }
        let chat: ChatRequest
        do { chat = try ChatRequest(body: request.body) } catch {
            let detail = switch error {
            case .notJSON: "Failed to deserialize the JSON body into the target type."
            case .missingField(let field): "Failed to deserialize the JSON body into the target type: missing field `\(field)`."
            case .badSchema(let problem): "Invalid response_format: \(problem)."
            }
            return Self.envelope(422, code: "Client specified an invalid argument", error: detail)
        }
        guard chat.model.hasPrefix("grok-") else {
            return Self.envelope(404, code: "Some requested entity was not found", error: "The model \(chat.model) does not exist or your team 5e1c0de0-5a1e-4d00-9a1b-000000000001 does not have access to it.")
        }
        let content: String
        if let ticker = chat.ticker, market.isListed(ticker), let sentiment = ChatSentiment(symbol: ticker, market: market) {
            content = chat.schemaName != nil ? sentiment.json : sentiment.content(ChatSentiment.wrapping(vendor: "xai", symbol: ticker))
        } else {
            content = #"{"symbol":\#(jsonQuoted(chat.ticker ?? "")),"sentiment":"neutral","score":0,"confidence":0.1,"summary":"I found no recent coverage of that ticker."}"#
        }
        let prompt = ChatRequest.tokens(chat.messages.map(\.content).joined())
        let completion = ChatRequest.tokens(content)
        let reasoning = chat.model.contains("reasoning") || chat.model.contains("mini") ? 3 * completion : 0
        let body = #"{"id":"\#(UUID().uuidString.lowercased())","object":"chat.completion","created":\#(market.today.sessionOpen + 3_600),"model":\#(jsonQuoted(chat.model)),"choices":[{"index":0,"message":{"role":"assistant","content":\#(jsonQuoted(content)),"refusal":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(prompt + completion + reasoning),"prompt_tokens_details":{"text_tokens":\#(prompt),"audio_tokens":0,"image_tokens":0,"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":\#(reasoning),"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0},"num_sources_used":0},"system_fingerprint":"fp_44e53da025"}"#
        return .json(200, body)
    }

    func errorResponse(status: Int) -> SimulatedResponse {
        switch status {
        case 401: Self.envelope(401, code: "unauthenticated", error: "Incorrect API key provided.")
        case 403: Self.envelope(403, code: "The caller does not have permission to execute the specified operation", error: "Your newly created team doesn't have any credits or licenses yet.")
        case 429: rateLimitResponse(retryAfter: nil)
        case 500..<600: Self.envelope(status, code: "Internal error", error: "Service temporarily unavailable. The model is overloaded; please retry.")
        default: Self.envelope(status, code: "Client specified an invalid argument", error: "simulated upstream error (HTTP \(status))")
        }
    }

    /// xAI documents no `Retry-After`; the simulator adds one only when a knob asks for it.
    func rateLimitResponse(retryAfter: Int?) -> SimulatedResponse {
        var response = Self.envelope(429, code: "Some resource has been exhausted", error: "Too many requests for team 5e1c0de0-5a1e-4d00-9a1b-000000000001 and model grok-4-0709. Your team's rate limit is — Requests per Second (actual/limit): 9/8. You can view your team rate limits at https://console.x.ai.")
        if let retryAfter { response.headers.append(("Retry-After", "\(retryAfter)")) }
        return response
    }
}
