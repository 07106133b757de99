import ArgoLua
import Testing

@Suite("json.decode max_items")
struct JSONMaxItemsTests {
    func decode(_ text: String, options: String) throws -> LuaValue {
        let state = try makeState()
        let plugin = try loadPlugin(state, "j", "return { decode = function(s) return json.decode(s, \(options)) end }")
        return try state.call(plugin, "decode", arguments: [.string(LuaString(text))])[0]
    }

    @Test("keeps the first N members of every object and array, skipping the rest whatever they hold")
    func keepsTheFirst() throws {
        let value = try decode(#"""
            {"Meta Data": {"1: Symbol": "AAPL"},
             "Technical Analysis: RSI": {"2026-11-21": {"RSI": "58.1"}, "2026-11-20": {"RSI": "55.0"},
               "2026-11-19": {"RSI": "a \"quoted\" ] } string", "x": [[{"y": 1}]]}, "2026-11-18": {"RSI": "50.0"}},
             "tail": [1, 2, 3]}
            """#, options: "{ max_items = 2 }")
        #expect(value["Meta Data"]["1: Symbol"] == "AAPL")
        let series = value["Technical Analysis: RSI"]
        #expect(series["2026-11-21"]["RSI"] == "58.1")
        #expect(series["2026-11-20"]["RSI"] == "55.0")
        #expect(series["2026-11-19"] == .nil, "the third member is skipped, with its brackets and escapes inside a string")
        #expect(series["2026-11-18"] == .nil)
        #expect(value["tail"] == .nil, "the top level keeps 2 members too")
        #expect(try decode("[[1, 2, 3], [4, 5, 6], [7]]", options: "{ max_items = 2 }") == [[1, 2], [4, 5]])
    }

    @Test("skipping: every structural byte and escape is found at any offset, in and across 64-byte blocks")
    func skipsWordsAtEveryOffset() throws {
        // Padding of 0 to 70 spaces moves each special byte through every position of a 64-byte block.
        for pad in 0..<71 {
            let spaces = String(repeating: " ", count: pad)
            let text = #"[1, {\#(spaces)"long key with \\ and \" and ] } inside":\#(spaces)[\#(spaces)"x\#(spaces)\"\#(spaces)"\#(spaces)]\#(spaces)},"#
                + #"\#(spaces)[[[\#(spaces)]]], "\#(spaces)}\#(spaces)"\#(spaces)]"#
            #expect(try decode(text, options: "{ max_items = 1 }") == [1], "pad \(pad)")
            let unclosed = #"[1, "\#(spaces)\"\#(spaces)abcdefghijklmnop"#
            #expect(luaError { _ = try decode(unclosed, options: "{ max_items = 1 }") }?.message.contains("unterminated string") == true, "pad \(pad)")
        }
    }

    @Test("without a limit, or a limit above the sizes, it decodes everything")
    func noLimit() throws {
        let text = #"{"a": [1, 2, 3], "b": {"c": null}}"#
        #expect(try decode(text, options: "nil") == decode(text, options: "{ max_items = 3 }"))
        #expect(try decode(text, options: "{}")["a"] == [1, 2, 3])
    }

    @Test("what is skipped must still close", arguments: [
        (#"[1, 2, "open]"#, "unterminated string"),
        (#"[1, 2, [3, 4"#, "unexpected end of input"),
        (#"{"a": 1, "b": 2]"#, "expected '}'"),
        ("[1, " + String(repeating: "[", count: 250) + String(repeating: "]", count: 251), "nesting deeper than 200"),
    ])
    func skippedMustClose(text: String, words: String) throws {
        let error = try #require(luaError { _ = try decode(text, options: "{ max_items = 1 }") })
        #expect(error.message.contains(words), "\(error.message)")
    }

    @Test("a bad options table is one clear error", arguments: ["{ max_items = 0 }", "{ max_items = 1.5 }", "'x'"])
    func badOptions(options: String) throws {
        let error = try #require(luaError { _ = try decode("[1]", options: options) })
        #expect(error.message.contains("json.decode"), "\(error.message)")
    }
}
