@testable import ArgoLua
import Testing

/// Random JSON with long arrays: scalars of every kind (integers past 64 bits,
/// floats only `strtod` rounds right, escapes), flat records with duplicate
/// and escaped keys, arrays of arrays, and objects around them.
struct LazyDocuments {
    var random: SplitMix

    mutating func scalar() -> String {
        switch Int.random(in: 0..<12, using: &random) {
        case 0: return "null"
        case 1: return Bool.random(using: &random) ? "true" : "false"
        case 2: return String(Int64.random(in: .min ... .max, using: &random))
        case 3: return "123456789012345678901234"  // past 64 bits: a float
        case 4: return "2.2250738585072011e-308"  // a halfway case, through strtod
        case 5: return #""a \"quoted\" ] } \\ \u00e9 \ud83d\ude00 string""#
        case 6: return #""2026-11-\#(Int.random(in: 10...28, using: &random))T05:00:00Z""#
        default: return String(Double.random(in: -1e6...1e6, using: &random))
        }
    }

    mutating func record(nested: Bool = true) -> String {
        let keys = ["t", "o", "h", "l", "c", "v", "n", "vw", #"\u0074"#, "c"]
        let count = Int.random(in: 0...keys.count, using: &random)
        let members = (0..<count).map { _ -> String in
            let key = keys.randomElement(using: &random)!
            let value = nested && Int.random(in: 0..<10, using: &random) == 0 ? #"{"x": [1, {"y": null}]}"# : scalar()
            return #""\#(key)": \#(value)"#
        }
        return "{" + members.joined(separator: ", ") + "}"
    }

    mutating func longArray() -> String {
        let count = Int.random(in: 40...300, using: &random)
        let element: (inout LazyDocuments) -> String = switch Int.random(in: 0..<3, using: &random) {
        case 0: { $0.scalar() }
        case 1: { $0.record() }
        default: { document in "[" + (0..<3).map { _ in document.scalar() }.joined(separator: ",") + "]" }
        }
        return "[" + (0..<count).map { _ in element(&self) }.joined(separator: ",\n ") + "]"
    }

    mutating func document() -> String {
        let fields = (0..<Int.random(in: 1...4, using: &random)).map { index -> String in
            let value: String = switch Int.random(in: 0..<4, using: &random) {
            case 0: #"{"inner": \#(longArray()), "short": [1, 2]}"#
            case 1: "[" + longArray() + ", " + scalar() + "]"
            case 2: scalar()
            default: longArray()
            }
            return #""f\#(index)": \#(value)"#
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}

@Suite("json.decode lazy: long arrays decoded on first touch, or read by the host from the text")
struct LazyJSONTests {
    static let roundTrip = """
        return {
          both = function(text, max)
            local options = max and { max_items = max } or nil
            local lazy_options = { lazy = true, max_items = max }
            return json.encode(json.decode(text, options)), json.encode(json.decode(text, lazy_options))
          end,
        }
        """

    @Test("200 random documents: a lazy decode encodes to the same JSON as an eager one, with and without max_items")
    func sameAsEager() async throws {
        let state = try makeState(memory: 64 << 20, instructions: 50_000_000)
        let plugin = try loadPlugin(state, "round", Self.roundTrip)
        var documents = LazyDocuments(random: SplitMix(state: 7))
        for index in 0..<200 {
            await Task.yield()  // a turn for the tests beside this one that wait on deadlines
            let text = documents.document()
            let max: LuaValue = index % 3 == 0 ? .integer(Int64(1 + index % 50)) : .nil
            let results = try state.call(plugin, "both", arguments: [.string(LuaString(text)), max])
            #expect(results[0] == results[1], "document \(index)")
        }
    }

    /// Decodes `{"a": [1, 2, ..., 300]}` lazily and eagerly and runs `expression`
    /// (of `t`) on each; returns both results, encoded.
    func both(_ expression: String) throws -> (lazy: LuaValue, eager: LuaValue) {
        let state = try makeState()
        let plugin = try loadPlugin(state, "probe", """
            local text = '{"a": [' .. table.concat((function() local t = {} for i = 1, 300 do t[i] = i end return t end)(), ", ") .. ']}'
            local function run(options)
              local t = json.decode(text, options)
              local result = (function() \(expression) end)()
              return json.encode({ result })
            end
            return { run = function() return run({ lazy = true }), run(nil) end }
            """)
        let results = try state.call(plugin, "run", arguments: [])
        return (results[0], results[1])
    }

    @Test("every way Lua reads or changes a table sees a lazy array's elements", arguments: [
        "return t.a[5]", "return #t.a", "local s = 0 for _, v in ipairs(t.a) do s = s + v end return s",
        "local n = 0 for _ in pairs(t.a) do n = n + 1 end return n", "return next(t.a)", "return rawget(t.a, 7)",
        "return rawlen(t.a)", "return getmetatable(t.a) == nil", "return select('#', table.unpack(t.a))",
        "return table.concat(t.a, ',', 290)", "table.insert(t.a, 1, 0) return #t.a, t.a[1], t.a[301]",
        "t.a[301] = 'x' return #t.a, t.a[300]", "rawset(t.a, 1, 'y') return t.a[1], #t.a",
        "setmetatable(t.a, {}) return rawlen(t.a), t.a[2]", "table.sort(t.a, function(x, y) return x > y end) return t.a[1]",
        "return json.encode(t.a)", "return json.encode(t)", "local n = 0 for _ in next, t.a do n = n + 1 end return n",
        "return table.remove(t.a), #t.a", "return table.move(t.a, 1, 3, 1, {})",
    ])
    func everyAccess(expression: String) throws {
        let (lazy, eager) = try both(expression)
        #expect(lazy == eager, "\(expression)")
        #expect(eager != "[]", "the probe returned something")
    }

    @Test("an array stays lazy until touched: a malformed number inside is found only then, as the state's failure at the eager decoder's offset")
    func malformedFoundOnTouch() throws {
        let state = try makeState()
        let numbers = (1...300).map(String.init).joined(separator: ", ")
        let text = #"{"ok": 1, "a": [\#(numbers), 012, 5]}"#
        let plugin = try loadPlugin(state, "probe", """
            return { run = function(text)
              local t = json.decode(text, { lazy = true })
              local before = type(t.a) .. " " .. t.ok
              local ok, err = pcall(function() return t.a[1] end)
              local again = pcall(function() return #t.a end)
              local eager_ok, eager_err = pcall(json.decode, text)
              return before, ok, err.kind, err.message, again, eager_err
            end }
            """)
        let results = try state.call(plugin, "run", arguments: [.string(LuaString(text))])
        #expect(results[0] == "table 1", "the document decodes and its other fields read")
        #expect(results[1] == false)
        #expect(results[2] == "json", "the generic layer's own word; the plugin host makes it bad_response")
        let eager = try #require(results[5].stringValue)
        let offset = try #require(eager.range(of: "at byte offset").map { eager[$0.lowerBound...] })
        #expect(results[3].stringValue?.hasSuffix(String(offset)) == true, "\(results[3]) vs \(eager)")
        #expect(results[3].stringValue?.contains("leading zero") == true)
        #expect(results[4] == false, "still malformed on the next touch")
    }

    @Test("nesting at the depth limit: a lazy decode fails, or not, exactly where an eager one does")
    func depthLimit() throws {
        let limit = LuaLimits().maxDepth
        let state = try makeState(memory: 64 << 20)
        let plugin = try loadPlugin(state, "depth", Self.roundTrip)
        let records = "[" + (0..<80).map { #"{"c": \#($0), "x": 1}"# }.joined(separator: ",") + "]"
        for wrappers in (limit - 4)...(limit - 1) {
            let text = String(repeating: #"{"k":"#, count: wrappers) + records + String(repeating: "}", count: wrappers)
            let eager = luaError { _ = try state.call(plugin, "both", arguments: [.string(LuaString(text))]) }
            let state2 = try makeState(memory: 64 << 20)
            let lazyOnly = try loadPlugin(state2, "lazy", "return { run = function(s) return json.encode(json.decode(s, { lazy = true })) end }")
            let lazy = luaError { _ = try state2.call(lazyOnly, "run", arguments: [.string(LuaString(text))]) }
            #expect(eager?.message == lazy?.message, "\(wrappers) wrappers: \(eager?.message ?? "ok") vs \(lazy?.message ?? "ok")")
            #expect((eager == nil) == (wrappers + 2 <= limit), "\(wrappers) wrappers")
        }
    }

    /// What the host read of `text`'s records or columns, decoded whole or lazily: each row, then the error if any.
    func hostReading(_ text: String, lazy: Bool, columns: Bool, maxItems: Int) throws -> [String] {
        let state = try makeState(memory: 64 << 20)
        let bytes = Array(text.utf8)
        var log: [String] = []
        do {
            if lazy {
                try state.pushLazyJSON(bytes, maxItems: maxItems)
                let field = columns ? "columns" : "bars"
                if !columns { #expect(state.isLazyJSONArray(field: field, ofTableAt: -1), "the records are read from the text") }
            } else {
                try bytes.withUnsafeBytes { try state.pushJSON($0, maxItems: maxItems) }
            }
            let keys = ["t", "o", "h", "l", "c", "v"]
            if columns {
                try state.forEachColumnRow(inField: "columns", ofTableAt: -1, keys: keys) { row, values in log.append("\(row) \(values)") }
            } else {
                try state.forEachRecord(inField: "bars", ofTableAt: -1, keys: keys) { position, values in log.append("\(position) \(values)") }
            }
        } catch {
            log.append("error: \(error)")
        }
        return log
    }

    @Test("300 random record lists: the host reads them from the text as it reads them decoded, errors included")
    func recordsFromText() async throws {
        var documents = LazyDocuments(random: SplitMix(state: 11))
        for index in 0..<300 {
            await Task.yield()  // a turn for the tests beside this one that wait on deadlines
            var records = (0..<Int.random(in: 40...200, using: &documents.random)).map { _ in documents.record(nested: false) }
            switch index % 10 {
            case 0: records.insert("5", at: records.count / 2)  // not an object
            case 1: records.insert(#"{"o": 01}"#, at: records.count / 2)  // malformed
            case 2: records.insert(#"{"o" 1}"#, at: records.count / 2)
            case 3: records.insert(#"{"c": "unterminated \u12"}"#, at: records.count / 2)
            default: break
            }
            let text = #"{"bars": [\#(records.joined(separator: ","))], "next": null}"#
            let maxItems = index % 4 == 3 ? 1 + index % 60 : Int.max
            let eager = try hostReading(text, lazy: false, columns: false, maxItems: maxItems)
            let lazy = try hostReading(text, lazy: true, columns: false, maxItems: maxItems)
            if eager.last?.hasPrefix("error: json.decode") == true {
                #expect(lazy.last == eager.last, "document \(index): the same first error")
            } else {
                #expect(lazy == eager, "document \(index)")
            }
        }
    }

    @Test("300 random column sets (uneven, with nulls): the host reads them from the text as it reads them decoded")
    func columnsFromText() async throws {
        var documents = LazyDocuments(random: SplitMix(state: 13))
        for index in 0..<300 {
            await Task.yield()  // a turn for the tests beside this one that wait on deadlines
            let columns = ["t", "o", "h", "l", "c", "v"].compactMap { key -> String? in
                if Int.random(in: 0..<8, using: &documents.random) == 0 { return nil }
                let values = (0..<Int.random(in: 60...260, using: &documents.random)).map { _ in documents.scalar() }
                return #""\#(key)": [\#(values.joined(separator: ","))]"#
            }
            let text = #"{"columns": {\#(columns.joined(separator: ", "))}}"#
            let maxItems = index % 4 == 3 ? 1 + index % 90 : Int.max
            let eager = try hostReading(text, lazy: false, columns: true, maxItems: maxItems)
            #expect(try hostReading(text, lazy: true, columns: true, maxItems: maxItems) == eager, "document \(index)")
        }
    }
}
