import Foundation

/// What the simulated language models answer about a stock: a JSON sentiment
/// whose sign follows the symbol's 20-day return, wrapped the way real models
/// wrap it — bare, in a fenced code block, or with a sentence around it.
struct ChatSentiment: Sendable, Equatable {
    /// How the JSON object is embedded in the assistant's content.
    enum Wrapping: CaseIterable, Sendable {
        case bare, fenced, prose
    }

    var symbol: String
    /// In [-1, 1]: positive bullish.
    var score: Double
    var confidence: Double
    var returnPercent: Double

    var label: String { score > 0.15 ? "bullish" : score < -0.15 ? "bearish" : "neutral" }

    /// The sentiment for `symbol` from the market's bars; nil when the symbol has fewer than 21 bars.
    init?(symbol: String, market: SimulatedMarket) {
        let closes = market.bars(symbol).suffix(21).map(\.close)
        guard closes.count == 21, let first = closes.first, let last = closes.last, first > 0 else { return nil }
        let change = last / first - 1
        self.symbol = symbol
        returnPercent = change * 100
        score = (tanh(change * 8) * 100).rounded() / 100
        confidence = ((0.55 + min(0.4, abs(change) * 2)) * 100).rounded() / 100
    }

    /// The JSON object, compact, keys in a fixed order.
    var json: String {
        #"{"symbol":"\#(symbol)","sentiment":"\#(label)","score":\#(score),"confidence":\#(confidence),"summary":"\#(symbol) moved \#(format(returnPercent, decimals: 1))% over the last 20 sessions; news flow reads \#(label)."}"#
    }

    /// The assistant's whole content for the given wrapping.
    func content(_ wrapping: Wrapping) -> String {
        switch wrapping {
        case .bare: json
        case .fenced: "```json\n\(json)\n```"
        case .prose: "Here is my assessment of $\(symbol) based on recent coverage:\n\(json)\nThis is not financial advice."
        }
    }

    /// The wrapping a vendor uses for a symbol: fixed per (vendor, symbol), so tests can rely on it.
    static func wrapping(vendor: String, symbol: String) -> Wrapping {
        Wrapping.allCases[Int(fnv1a(vendor + "|" + symbol) % UInt64(Wrapping.allCases.count))]
    }
}

/// The parts of an OpenAI-style chat request the simulator reads.
struct ChatRequest {
    var model: String
    var messages: [(role: String, content: String)]
    /// The name of the JSON Schema `response_format` binds the answer to, if one was sent:
    /// the answer's content is then that JSON and nothing else, as both vendors promise.
    var schemaName: String?

    enum Problem: Error { case notJSON, missingField(String), badSchema(String) }

    /// Parses the body; `content` may be a string or a list of `{type: "text", text}` parts.
    init(body: [UInt8]) throws(Problem) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { throw .notJSON }
        guard let model = object["model"] as? String else { throw .missingField("model") }
        guard let list = object["messages"] as? [[String: Any]], !list.isEmpty else { throw .missingField("messages") }
        if let format = object["response_format"] {
            guard let format = format as? [String: Any], let type = format["type"] as? String else { throw .badSchema("response_format must be an object with a type") }
            if type == "json_schema" {
                guard let schema = format["json_schema"] as? [String: Any], schema["schema"] is [String: Any] else {
                    throw .badSchema("response_format.json_schema.schema is required")
                }
                let name = schema["name"] as? String ?? ""
                guard (1...64).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                    throw .badSchema("response_format.json_schema.name must be 1 to 64 letters, digits, '_' or '-'")
                }
                schemaName = name
            }
        }
        self.model = model
        messages = list.map { message in
            let role = message["role"] as? String ?? ""
            if let text = message["content"] as? String { return (role, text) }
            let parts = message["content"] as? [[String: Any]] ?? []
            return (role, parts.compactMap { $0["text"] as? String }.joined(separator: "\n"))
        }
    }

    /// The ticker the last user message asks about: its first `$CASHTAG`, else nil.
    var ticker: String? {
        guard let text = messages.last(where: { $0.role == "user" })?.content else { return nil }
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            let after = rest[rest.index(after: dollar)...]
            let tag = after.prefix { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "." || $0 == "-") }
            if let first = tag.first, first.isLetter { return String(tag) }
            rest = after
        }
        return nil
    }

    /// A rough token count (4 bytes a token), for `usage`.
    static func tokens(_ text: String) -> Int { max(1, text.utf8.count / 4) }
}

/// `text` as a JSON string literal, quotes included.
func jsonQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
