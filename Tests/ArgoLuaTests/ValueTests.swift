import ArgoLua
import Testing

@Suite("Values")
struct ValueTests {
    static let samples: [LuaValue] = [
        nil, true, false, 0, -1, .integer(Int64.max), .integer(Int64.min), 1.5, -0.25, 1e-7, 3.0,
        "", "héllo", .string(LuaString(bytes: [0, 255, 10, 0x80])),
        [1, 2, 3], ["a": 1, "b": [true, "x"]], [:], [[["deep": [1.0]]]], .null,
        [1: "one", 3: "three"], [2.5: "float key", true: "bool key"],
    ]

    @Test("values survive Swift → Lua → Swift", arguments: samples)
    func roundTrip(value: LuaValue) throws {
        let state = try makeState()
        let plugin = try loadPlugin(state, "echo", "return { echo = function(...) return ... end }")
        #expect(try state.call(plugin, "echo", arguments: [value]) == [value])
    }

    @Test("integers and floats stay distinct")
    func integersStayIntegers() throws {
        let state = try makeState()
        let values = try state.evaluate("return 3, 3.0, math.type(3), math.type(3.0), 2^53, 7 // 2")
        #expect(values == [.integer(3), .number(3.0), "integer", "float", .number(9007199254740992), .integer(3)])
        let plugin = try loadPlugin(state, "types", "return { t = function(a, b) return math.type(a), math.type(b) end }")
        #expect(try state.call(plugin, "t", arguments: [.integer(3), .number(3)]) == ["integer", "float"])
    }

    @Test("a table that contains itself is refused")
    func cycle() throws {
        let state = try makeState()
        let error = try #require(luaError { _ = try state.evaluate("local t = {}; t.self = t; return t") })
        #expect(error.kind == .conversion)
        #expect(error.message.contains("cycle"))
        // The same table twice is no cycle.
        let shared = try state.evaluate("local s = {1}; return { a = s, b = s }")
        #expect(shared == [["a": [1], "b": [1]]])
    }

    @Test("nesting deeper than the limit is refused both ways")
    func depth() throws {
        let state = try makeState()
        let error = try #require(luaError {
            _ = try state.evaluate("local t = {}; local c = t; for i = 1, 500 do c[1] = {}; c = c[1] end; return t")
        })
        #expect(error.message.contains("deeper than 200"))
        var deep: LuaValue = 1
        for _ in 0..<300 { deep = [deep] }
        let plugin = try loadPlugin(state, "echo", "return { echo = function(...) return ... end }")
        let pushError = try #require(luaError { _ = try state.call(plugin, "echo", arguments: [deep]) })
        #expect(pushError.kind == .conversion)
    }

    @Test("functions have no Swift form")
    func functionsRefused() throws {
        let state = try makeState()
        let error = try #require(luaError { _ = try state.evaluate("return print or function() end") })
        #expect(error.message.contains("cannot convert a function"))
    }
}
