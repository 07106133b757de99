import ArgoLua
import Testing

@Suite("JSON")
struct JSONTests {
    func decode(_ text: String, _ state: LuaState? = nil) throws -> LuaValue {
        let state = try state ?? makeState()
        let plugin = try loadPlugin(state, "j", "return { decode = function(s) return json.decode(s) end }")
        return try state.call(plugin, "decode", arguments: [.string(LuaString(text))])[0]
    }

    @Test("decodes a nested document with every kind of value")
    func nested() throws {
        let value = try decode(#"""
            {"bars": [{"t": "2026-11-20T05:00:00Z", "o": 187.12, "v": 51234567, "n": -3}, {"x": [true, false, null, [], {}]}],
             "next_page_token": null, "empty": "", "nested": {"a": {"b": {"c": [1, [2, [3]]]}}}}
            """#)
        #expect(value["bars"][1]["o"] == .number(187.12))
        #expect(value["bars"][1]["v"] == .integer(51234567))
        #expect(value["bars"][1]["n"] == .integer(-3))
        #expect(value["bars"][2]["x"] == [true, false, .null, [:], [:]])
        #expect(value["next_page_token"] == .null)
        #expect(value["nested"]["a"]["b"]["c"] == [1, [2, [3]]])
    }

    @Test("unicode escapes, surrogate pairs and raw UTF-8")
    func unicode() throws {
        #expect(try decode(#""caf\u00e9 \u20ac \ud83d\ude00 \"q\" \\ \/ \n\t""#) == "café € 😀 \"q\" \\ / \n\t")
        #expect(try decode(#""日本語""#) == "日本語")
        #expect(try decode(#""\u0000x""#) == .string(LuaString(bytes: [0, 0x78])))
    }

    @Test("integers stay integers, big ones exact to 64 bits, floats round correctly")
    func numbers() throws {
        let state = try makeState()
        let checks: [(String, LuaValue)] = [
            ("9223372036854775807", .integer(Int64.max)),
            ("-9223372036854775808", .integer(Int64.min)),
            ("9007199254740993", .integer(9_007_199_254_740_993)),
            ("9223372036854775808", .number(9_223_372_036_854_775_808.0)),
            ("1e-7", .number(1e-7)),
            ("0.1", .number(0.1)),
            ("-0.0", .number(-0.0)),
            ("1.7976931348623157e308", .number(1.7976931348623157e308)),
            ("5e-324", .number(Double.leastNonzeroMagnitude)),
            ("123456789012345678901234567890", .number(1.2345678901234568e29)),
            ("2.2250738585072011e-308", .number(Double(sign: .plus, exponent: -1022, significand: 1) - Double.leastNonzeroMagnitude)),
            ("187.12", .number(187.12)),
            ("1E+2", .number(100.0)),
            // Yahoo's float32 prices widened to 17 digits, and others past Clinger's fast path (strtod).
            ("187.1199951171875", .number(187.1199951171875)),
            ("-0.00012345678901234567", .number(-0.00012345678901234567)),
            ("4.503599627370497e15", .number(4_503_599_627_370_497)),
            ("9.999999999999999e22", .number(9.999999999999999e22)),
            ("1e400", .number(.infinity)),
        ]
        for (text, expected) in checks {
            #expect(try decode(text, state) == expected, "\(text)")
        }
    }

    @Test("30,000 random numbers (1 to 25 digits, fractions, exponents) decode as Lua's own tonumber reads them: same type, same value")
    func numbersAsLuaReadsThem() throws {
        var random = SplitMix(state: 3)
        func digits(_ count: Int) -> String { String((0..<count).map { _ in Character(String(random.next() % 10)) }) }
        var texts: [String] = []
        for _ in 0..<30_000 {
            var integer = digits(Int(random.next() % 25) + 1)
            while integer.count > 1, integer.hasPrefix("0") { integer.removeFirst() }
            var text = (random.next() % 3 == 0 ? "-" : "") + integer
            if random.next() % 2 == 0 { text += "." + digits(Int(random.next() % 22) + 1) }
            if random.next() % 4 == 0 { text += (random.next() % 2 == 0 ? "e-" : "E+") + String(random.next() % 40) }
            texts.append(text)
        }
        let state = try makeState(instructions: 50_000_000)
        let plugin = try loadPlugin(state, "numbers", """
            return { check = function(texts)
              local decoded = json.decode("[" .. table.concat(texts, ",") .. "]")
              for i, text in ipairs(texts) do
                local mine, lua = decoded[i], tonumber(text)
                if math.type(mine) ~= math.type(lua) or mine ~= lua then
                  return text .. ": " .. math.type(mine) .. " " .. string.format("%.17g", mine) .. " vs " .. math.type(lua) .. " " .. string.format("%.17g", lua)
                end
              end
              return "same"
            end }
            """)
        let result = try state.call(plugin, "check", arguments: [.array(texts.map { .string(LuaString($0)) })])
        #expect(result == ["same"])
    }

    @Test("malformed JSON reports its byte offset", arguments: [
        (#"{"a": 1,}"#, 8, "expected a string key"),
        (#"[1, 2"#, 5, "unexpected end of input"),
        (#"{"a" 1}"#, 5, "expected ':'"),
        (#"[01]"#, 2, "leading zero"),
        (#""abc"#, 4, "unterminated string"),
        (#"[1.]"#, 3, "no digit after '.'"),
        (#"tru"#, 0, "invalid literal"),
        (#"{"a": 1} x"#, 9, "after the document"),
        (#""\x""#, 1, "invalid escape"),
        (#""\ud800""#, 7, "unpaired surrogate"),
        ("[\"a\nb\"]", 3, "control character"),
        ("", 0, "unexpected end of input"),
    ])
    func malformed(text: String, offset: Int, words: String) throws {
        let state = try makeState()
        let error = try #require(luaError { _ = try decode(text, state) })
        #expect(error.message.contains("at byte offset \(offset)"), "\(error.message)")
        #expect(error.message.contains(words), "\(error.message)")
        #expect(error.chunk == "plugins/j.lua", "the error points at the plugin line that called json.decode")
    }

    @Test("deep nesting is refused, not a crash")
    func deepNesting() throws {
        let error = try #require(luaError { _ = try decode(String(repeating: "[", count: 100_000)) })
        #expect(error.message.contains("nesting deeper than"))
    }

    @Test("encode round-trips through decode, with sorted keys")
    func encodeRoundTrip() throws {
        let state = try makeState()
        let values = try state.evaluate(#"""
            local doc = { model = "grok-4", messages = { { role = "user", content = "Hi \"there\"\n\1" } },
                          temperature = 0.2, n = 1, big = math.maxinteger, tiny = 1e-7, flag = false, none = json.null }
            local text = json.encode(doc)
            local back = json.decode(text)
            return text, json.encode(back) == text, math.type(back.n), back.tiny == 1e-7, back.none == json.null
            """#)
        let text = try #require(values.first?.stringValue)
        #expect(text == #"{"big":9223372036854775807,"flag":false,"messages":[{"content":"Hi \"there\"\n\u0001","role":"user"}],"model":"grok-4","n":1,"none":null,"temperature":0.2,"tiny":1e-07}"#)
        #expect(Array(values.dropFirst()) == [true, "integer", true, true])
    }

    @Test("encode refuses what JSON cannot say", arguments: [
        ("local t = {}; t.t = t; return json.encode(t)", "contains itself"),
        ("return json.encode({ f = print or function() end })", "cannot encode a function"),
        ("return json.encode(0/0)", "cannot encode"),
        ("return json.encode({ [{}] = 1 })", "table key of type table"),
    ])
    func encodeErrors(source: String, words: String) throws {
        let state = try makeState()
        let error = try #require(luaError { _ = try state.evaluate(source) })
        #expect(error.message.contains(words), "\(error.message)")
    }

    @Test("pushJSON decodes response bytes straight onto the stack")
    func pushJSONFastPath() throws {
        let state = try makeState()
        let plugin = try loadPlugin(state, "p", "return { count = function(doc) return #doc.bars, doc.bars[2].c end }")
        let body = Array(#"{"bars":[{"c":1.5},{"c":2}]}"#.utf8)
        let result = try state.call(plugin, "count") { state in
            try body.withUnsafeBytes { try state.pushJSON($0) }
            return 1
        } results: { state, first, count in
            try (0..<count).map { try state.value(at: first + $0) }
        }
        #expect(result == [2, 2])
    }
}

/// SplitMix64, seeded: the same numbers on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
