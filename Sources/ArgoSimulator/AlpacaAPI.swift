import Foundation

/// Alpaca Market Data v2 bars (UPSTREAMS.md §1): `GET /v2/stocks/{symbol}/bars`
/// and `GET /v2/stocks/bars?symbols=…`, daily timeframe, `next_page_token` paging,
/// two-header auth with nginx's HTML 401.
struct AlpacaAPI: SimulatedAPI {
    let route = SimulatedRoute.alpaca

    func matches(_ request: SimulatedRequest) -> Bool { request.path.hasPrefix("/v2/stocks/") }

    func symbol(of request: SimulatedRequest) -> String? {
        let parts = request.path.split(separator: "/")
        if parts.count == 4, parts[3] == "bars" { return String(parts[2]) }
        let symbols = request.query["symbols"]?.split(separator: ",") ?? []
        return symbols.count == 1 ? String(symbols[0]) : nil
    }

    static let unauthorizedHTML = "<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

    func respond(to request: SimulatedRequest, market: SimulatedMarket, knobs: RouteKnobs) -> SimulatedResponse {
        guard !(request.headers["apca-api-key-id"] ?? "").isEmpty, !(request.headers["apca-api-secret-key"] ?? "").isEmpty else {
            return .text(401, Self.unauthorizedHTML, contentType: "text/html")
        }
        let parts = request.path.split(separator: "/")
        let isMulti = parts.count == 3 && parts[2] == "bars"
        guard isMulti || (parts.count == 4 && parts[3] == "bars") else { return .json(404, #"{"message":"Not Found"}"#) }
        guard let timeframe = request.query["timeframe"] else {
            return .json(400, #"{"message":"Invalid format for parameter timeframe: query parameter 'timeframe' is required"}"#)
        }
        guard timeframe == "1Day" || timeframe == "1D" else {
            return .json(400, #"{"message":"invalid timeframe (the simulator serves 1Day bars)"}"#)
        }
        let limit = Int(request.query["limit"] ?? "1000") ?? -1
        guard (1...10_000).contains(limit) else {
            return .json(400, #"{"message":"Invalid format for parameter limit: must be between 1 and 10000"}"#)
        }
        guard let start = day(request.query["start"], default: market.today) else {
            return .json(400, #"{"message":"Invalid format for parameter start: error parsing '\#(request.query["start"] ?? "")' as RFC3339 or 2006-01-02 time"}"#)
        }
        guard let end = day(request.query["end"], default: market.today) else {
            return .json(400, #"{"message":"Invalid format for parameter end: error parsing '\#(request.query["end"] ?? "")' as RFC3339 or 2006-01-02 time"}"#)
        }
        guard end >= start else { return .json(400, #"{"message":"end should not be before start"}"#) }
        let symbols: [String]
        if isMulti {
            guard let list = request.query["symbols"], !list.isEmpty else {
                return .json(400, #"{"message":"Invalid format for parameter symbols: query parameter 'symbols' is required"}"#)
            }
            symbols = Set(list.split(separator: ",").map(String.init)).sorted()
        } else {
            symbols = [String(parts[2])]
        }
        var resume: (symbol: String, day: TradingDay)?
        if let token = request.query["page_token"] {
            guard let decoded = Data(base64Encoded: token).flatMap({ String(data: $0, encoding: .utf8) }),
                case let fields = decoded.split(separator: "|"), fields.count == 3, let day = TradingDay(iso: fields[2])
            else { return .json(400, #"{"message":"invalid page_token"}"#) }
            resume = (String(fields[0]), day)
        }
        let pageSize = min(limit, knobs.pageSize ?? limit)
        // Sorted by symbol, then time; the page holds `pageSize` bars across symbols.
        var page: [(String, SimulatedBar)] = []
        var next: (String, TradingDay)?
        outer: for symbol in symbols {
            if let resume, symbol < resume.symbol { continue }
            let from = resume.map { $0.symbol == symbol ? max(start, $0.day) : start } ?? start
            for bar in market.bars(symbol, from: from, through: end) {
                if page.count == pageSize {
                    next = (symbol, bar.day)
                    break outer
                }
                page.append((symbol, bar))
            }
        }
        let token = next.map { "\"" + Data("\($0.0)|D|\($0.1)T05:00:00.000000000Z".utf8).base64EncodedString() + "\"" } ?? "null"
        var body = #"{"bars":"#
        if isMulti {
            var grouped: [String: [String]] = [:]
            for (symbol, bar) in page { grouped[symbol, default: []].append(Self.render(bar)) }
            body += "{" + grouped.keys.sorted().map { "\"\($0)\":[\(grouped[$0]!.joined(separator: ","))]" }.joined(separator: ",") + "}"
        } else {
            body += page.isEmpty ? "null" : "[" + page.map { Self.render($0.1) }.joined(separator: ",") + "]"
            body += #","symbol":"\#(symbols[0])""#
        }
        body += #","next_page_token":\#(token)}"#
        let reset = Int(Date().timeIntervalSince1970) + 60
        return .json(200, body, headers: [("X-Ratelimit-Limit", "200"), ("X-Ratelimit-Remaining", "199"), ("X-Ratelimit-Reset", "\(reset)")])
    }

    /// A bar in the current alphabetical key order.
    static func render(_ bar: SimulatedBar) -> String {
        #"{"c":\#(bar.close),"h":\#(bar.high),"l":\#(bar.low),"n":\#(bar.trades),"o":\#(bar.open),"t":"\#(rfc3339(bar.day.newYorkMidnight))","v":\#(bar.volume),"vw":\#(bar.vwap)}"#
    }

    /// `YYYY-MM-DD` or RFC 3339 (the date part is used).
    private func day(_ text: String?, default fallback: TradingDay) -> TradingDay? {
        guard let text else { return fallback }
        return TradingDay(iso: Substring(text))
    }

    func rateLimitResponse(retryAfter: Int?) -> SimulatedResponse {
        .json(429, #"{"message": "too many requests."}"#, headers: retryAfter.map { [("Retry-After", "\($0)")] } ?? [])
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds.
func rfc3339(_ seconds: Int) -> String {
    let day = TradingDay(daysSinceEpoch: seconds / 86_400)
    let rest = seconds % 86_400
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(day)T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
}
