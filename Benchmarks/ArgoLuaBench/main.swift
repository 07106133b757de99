// `make bench-lua`: the cost of turning a market-data response into bars in Lua.
// Not a test: it prints figures. Body: 200 daily bars in Alpaca's v2 format.
import ArgoJSONScan
import ArgoLua
import Foundation

/// A 200-bar Alpaca `/v2/stocks/{symbol}/bars` body, deterministic.
func alpacaBody(bars: Int) -> [UInt8] {
    var price = 187.12
    var seed: UInt64 = 42
    func random() -> Double {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Double(seed >> 11) / Double(1 << 53)
    }
    var items: [String] = []
    var day = Date(timeIntervalSince1970: 1_735_707_600)  // 2025-01-01T05:00:00Z
    let formatter = ISO8601DateFormatter()
    for _ in 0..<bars {
        let open = price
        price *= 1 + (random() - 0.49) * 0.03
        let high = max(open, price) * (1 + random() * 0.01)
        let low = min(open, price) * (1 - random() * 0.01)
        items.append(String(
            format: #"{"c":%.2f,"h":%.2f,"l":%.2f,"n":%d,"o":%.2f,"t":"%@","v":%d,"vw":%.6f}"#,
            price, high, low, Int(random() * 900_000) + 100_000, open, formatter.string(from: day),
            Int(random() * 90_000_000) + 10_000_000, (high + low + price) / 3))
        day += 86_400
    }
    return Array(#"{"bars":[\#(items.joined(separator: ","))],"symbol":"AAPL","next_page_token":null}"#.utf8)
}

/// A parse function like a plugin's: walk the decoded document into bars.
let parsePlugin = """
    local function walk(doc)
      local out = {}
      local bars = doc.bars
      for i = 1, #bars do
        local b = bars[i]
        out[i] = { t = b.t, o = b.o, h = b.h, l = b.l, c = b.c, v = b.v }
      end
      return out
    end
    return {
      decode_only = function(body) return json.decode(body) end,
      parse = function(body) return walk(json.decode(body)) end,
      walk = function(doc) return walk(doc) end,
      -- As alpaca.lua's parse: the vendor's records returned as they are.
      records = function(body) return { bars = json.decode(body).bars } end,
      records_lazy = function(body) return { bars = json.decode(body, { lazy = true }).bars } end,
    }
    """

/// Median microseconds per call of `body` over `rounds` rounds of `iterations`.
func measure(iterations: Int, rounds: Int = 5, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<(iterations / 10) { try body() }  // warm-up
    var samples: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<rounds {
        let elapsed = try clock.measure { for _ in 0..<iterations { try body() } }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        samples.append(seconds * 1e6 / Double(iterations))
    }
    return samples.sorted()[rounds / 2]
}

let barCount = 200
let body = alpacaBody(bars: barCount)
// For decoders outside Argo (docs/performance.md compares lua-cjson once): the same body in a file.
if let path = ProcessInfo.processInfo.environment["ARGO_BENCH_SAVE_BODY"] {
    try Data(body).write(to: URL(fileURLWithPath: path))
}
let state = try LuaState()
let plugin = try state.loadChunk(Array(parsePlugin.utf8), chunkName: "bench/parse.lua", plugin: "bench")
let iterations = Int(ProcessInfo.processInfo.environment["ARGO_BENCH_ITERATIONS"] ?? "") ?? 500

@MainActor func callWithBody(_ function: String) throws {
    try state.call(plugin, function) { state in
        state.pushBytes(body)
        return 1
    } results: { _, _, _ in }
}

let decodeOnly = try measure(iterations: iterations) { try callWithBody("decode_only") }
let decodeAndParse = try measure(iterations: iterations) { try callWithBody("parse") }
let pushAndWalk = try measure(iterations: iterations) {
    try state.call(plugin, "walk") { state in
        try body.withUnsafeBytes { try state.pushJSON($0) }
        return 1
    } results: { _, _, _ in }
}
/// A parse that returns the records as they are, read by the host (`forEachRecord`, as
/// the engine reads bars), with `response.json`'s lazy decoding or without.
@MainActor func hostRead(_ function: String) throws -> Int {
    try state.call(plugin, function) { state in
        state.pushBytes(body)
        return 1
    } results: { state, first, _ in
        var count = 0
        try state.forEachRecord(inField: "bars", ofTableAt: first, keys: ["t", "o", "h", "l", "c", "v"]) { _, values in
            if values[4].doubleValue != nil { count += 1 }
        }
        return count
    }
}
guard try hostRead("records") == barCount, try hostRead("records_lazy") == barCount else { fatalError("the host read no bars") }
let hostEager = try measure(iterations: iterations) { _ = try hostRead("records") }
let hostLazy = try measure(iterations: iterations) { _ = try hostRead("records_lazy") }
let foundation = try measure(iterations: iterations) {
    _ = try JSONSerialization.jsonObject(with: Data(body))
}
// Sanity: the parse really produced 200 bars with the right last close.
let check = try state.call(plugin, "parse") { state in
    state.pushBytes(body)
    return 1
} results: { state, first, _ in try state.value(at: first) }
guard case .array(let bars) = check, bars.count == barCount else { fatalError("parse produced \(check)") }

func row(_ name: String, _ micros: Double) -> String {
    let name = name.padding(toLength: 48, withPad: " ", startingAt: 0)
    return "| \(name) | \(String(format: "%8.1f", micros)) | \(String(format: "%7.3f", micros / Double(barCount))) |"
}
print("JSON → Lua, \(barCount)-bar Alpaca body (\(body.count) bytes), median of 5 × \(iterations) calls")
print("")
print("| what | µs/call | µs/bar |")
print("|---|---:|---:|")
print(row("json.decode in Lua (decode only)", decodeOnly))
print(row("json.decode + walk into bars (a plugin's parse)", decodeAndParse))
print(row("pushJSON from Swift + walk into bars", pushAndWalk))
print(row("bars returned as sent, read by the host", hostEager))
print(row("the same, lazy (response.json): read from text", hostLazy))
print(row("Foundation JSONSerialization (decode only)", foundation))
print("")
print(String(format: "json.decode is %.1f× faster than JSONSerialization on the same bytes", foundation / decodeOnly))

/// An Alpha Vantage indicator body as the API sends it: pretty-printed, the
/// whole daily history newest first (`entries` days).
func alphaVantageBody(entries: Int) -> [UInt8] {
    var lines = ["{", "    \"Meta Data\": {", "        \"1: Symbol\": \"AAPL\",", "        \"2: Indicator\": \"Relative Strength Index (RSI)\"", "    },",
                 "    \"Technical Analysis: RSI\": {"]
    for index in 0..<entries {
        let day = Date(timeIntervalSince1970: 1_795_000_000 - Double(index) * 86_400)
        let stamp = ISO8601DateFormatter.string(from: day, timeZone: .gmt, formatOptions: [.withFullDate])
        lines.append("        \"\(stamp)\": {")
        lines.append("            \"RSI\": \"\(String(format: "%.4f", 30 + Double(index % 40)))\"")
        lines.append("        }\(index == entries - 1 ? "" : ",")")
    }
    lines += ["    }", "}"]
    return Array(lines.joined(separator: "\n").utf8)
}

let avBody = alphaVantageBody(entries: 6_000)
let avPlugin = try state.loadChunk(Array("""
    return {
      first16 = function(body) return json.decode(body, { max_items = 16 }) end,
      whole = function(body) return json.decode(body) end,
    }
    """.utf8), chunkName: "bench/av.lua", plugin: "bench")
@MainActor func callAV(_ function: String) throws {
    try state.call(avPlugin, function) { state in
        state.pushBytes(avBody)
        return 1
    } results: { _, _, _ in }
}
let avFirst16 = try measure(iterations: max(10, iterations / 10)) { try callAV("first16") }
let avWhole = try measure(iterations: max(10, iterations / 10)) { try callAV("whole") }
/// A request's `max_items = 16`: the body pruned as it arrives, in 16 KiB reads (as the HTTP client does).
func pruneAV() -> Int {
    var pruner = JSONPruner(maxItems: 16)
    var kept: [UInt8] = []
    avBody.withUnsafeBytes { raw in
        var start = 0
        while start < raw.count {
            let end = min(raw.count, start + 16_384)
            pruner.feed(UnsafeRawBufferPointer(rebasing: raw[start..<end]), into: &kept)
            start = end
        }
    }
    return kept.count
}
let avPruned = measure(iterations: max(10, iterations / 10)) { _ = pruneAV() }
print("")
print("Alpha Vantage indicator body (\(avBody.count / 1000) kB, \(6_000) days, pretty-printed), median of 5 rounds")
print("")
print("| what | µs/call | MB/s |")
print("|---|---:|---:|")
for (name, micros) in [("request max_items = 16: pruned as it arrives, 16 KiB at a time (\(pruneAV()) bytes kept)", avPruned),
                       ("json.decode(body, { max_items = 16 }) (skips the rest)", avFirst16), ("json.decode(body) (everything)", avWhole)] {
    print("| \(name) | \(String(format: "%.1f", micros)) | \(String(format: "%.0f", Double(avBody.count) / micros)) |")
}
