internal import CLua

// Lazy arrays: `json.decode(text, { lazy = true })`, which is how `response.json`
// is decoded, pushes every array longer than `lazyJSONThreshold` bytes below the
// top level as an empty table whose metatable holds the text and the array's
// place in it. The first touch from Lua (index, assignment, `#`, `pairs`, and in
// the sandbox `next`, `rawget`, `rawset`, `rawlen`, `getmetatable`,
// `setmetatable`) decodes the array into that table and drops the metatable, so
// from then on it is an ordinary table. The host reads arrays a plugin hands
// back untouched straight from the text (`LuaJSONRecords.swift`), without a
// Lua table per record.

/// Arrays at least this long in bytes are decoded lazily.
let lazyJSONThreshold = 1024

/// The text a lazy decode reads: its stack index, and the registry reference
/// of the metamethods each lazy array's metatable gets.
struct LazyJSONText {
    var index: Int32
    var methodsRef: Int32
}

/// The key under which a lazy array's metatable holds its text: a light
/// userdata no Lua code can make. `nonisolated(unsafe)`: allocated once, never written.
nonisolated(unsafe) let lazyJSONMarker: UnsafeMutableRawPointer = .allocate(byteCount: 1, alignment: 1)

/// Pushes the array `text[start..<end]` (from `[` to `]`, found balanced) as a
/// lazy array: an empty table with a metatable of the metamethods, the text
/// under ``lazyJSONMarker`` and `start`, `end`, `maxItems` and `depth` (the
/// containers around it) at 1...4.
func pushLazyJSONArray(_ L: OpaquePointer, text: LazyJSONText, start: Int, end: Int, maxItems: Int, depth: Int) {
    lua_createtable(L, 0, 0)
    lua_createtable(L, 4, 5)
    lua_rawgeti(L, clua_registryindex(), lua_Integer(text.methodsRef))
    lua_pushnil(L)
    while lua_next(L, -2) != 0 {
        lua_pushvalue(L, -2)
        clua_insert(L, -2)
        lua_rawset(L, -5)
    }
    clua_pop(L, 1)
    lua_pushvalue(L, text.index)
    lua_rawsetp(L, -2, lazyJSONMarker)
    for (slot, value) in [start, end, maxItems, depth].enumerated() {
        lua_pushinteger(L, lua_Integer(value))
        lua_rawseti(L, -2, lua_Integer(slot + 1))
    }
    _ = lua_setmetatable(L, -2)
}

/// A lazy array's place in its text. The text stays alive while the array's
/// table (which holds it through its metatable) is on the stack.
struct LazyJSONArray {
    var text: UnsafeRawBufferPointer
    var start: Int
    var end: Int
    var maxItems: Int
    var depth: Int
}

extension LuaState {
    /// The lazy array at `index`, or nil when the value there is anything else
    /// (a lazy array already touched is an ordinary table).
    func lazyJSONArray(at index: Int32) -> LazyJSONArray? {
        guard lua_type(L, index) == LUA_TTABLE, lua_getmetatable(L, index) != 0 else { return nil }
        defer { lua_settop(L, -2) }
        guard lua_rawgetp(L, -1, lazyJSONMarker) == LUA_TSTRING else {
            clua_pop(L, 1)
            return nil
        }
        var length = 0
        let pointer = clua_tolstring(L, -1, &length)
        clua_pop(L, 1)
        func slot(_ number: lua_Integer) -> Int {
            lua_rawgeti(L, -1, number)
            defer { clua_pop(L, 1) }
            return Int(lua_tointegerx(L, -1, nil))
        }
        let (start, end) = (slot(1), slot(2))
        guard start >= 0, start < end, end <= length else { return nil }
        return LazyJSONArray(
            text: UnsafeRawBufferPointer(start: pointer, count: length), start: start, end: end, maxItems: slot(3), depth: slot(4))
    }

    /// Decodes the lazy array at `index` into its own table and drops its
    /// metatable; does nothing for any other value. Arrays inside it that are
    /// long enough become lazy arrays in turn. On malformed JSON throws
    /// (offsets count from the start of the text) and leaves the array lazy.
    func materializeLazyJSON(at index: Int32) throws {
        guard let array = lazyJSONArray(at: index) else { return }
        let table = lua_absindex(L, index)
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        guard lua_checkstack(L, 4) != 0 else { throw LuaHostError("json.decode: Lua stack overflow") }
        // The text, on the stack for the lazy arrays nested in this one.
        _ = lua_getmetatable(L, table)
        lua_rawgetp(L, -1, lazyJSONMarker)
        let text = LazyJSONText(index: lua_gettop(L), methodsRef: lazyJSONMethodsRef)
        try withDecoder(over: array) { decoder in
            decoder.rootTable = table
            decoder.lazy = text
            try decoder.decodeValue()
        }
        lua_pushnil(L)
        _ = lua_setmetatable(L, table)
    }

    /// Runs `body` with a decoder over the lazy array `array` (its limits, its
    /// depth in the document, positioned at its `[`); the stack is restored after.
    func withDecoder(over array: LazyJSONArray, _ body: (inout JSONToLua) throws -> Void) throws {
        let top = lua_gettop(L)
        defer { lua_settop(L, top) }
        var decoder = JSONToLua(
            L: L, bytes: array.text, nullRef: jsonNullRef, maxDepth: limits.maxDepth, maxItems: max(1, array.maxItems),
            scratch: scratch)
        defer { scratch = decoder.scratch }
        decoder.position = array.start
        decoder.end = array.end
        decoder.baseDepth = array.depth
        try body(&decoder)
    }

    /// `host.json_materialize(t)`: ``materializeLazyJSON(at:)`` for the sandbox's metamethods.
    func jsonMaterializeHostFunction() throws -> Int32 {
        try materializeLazyJSON(at: 1)
        return 0
    }
}

extension LuaState {
    /// Pushes `text` decoded as `json.decode(text, { lazy = true, max_items = maxItems })` would.
    func pushLazyJSON(_ text: [UInt8], maxItems: Int = .max) throws {
        pushBytes(text)
        let textIndex = lua_gettop(L)
        defer { clua_remove(L, textIndex) }
        var length = 0
        let pointer = clua_tolstring(L, textIndex, &length)
        try pushJSON(UnsafeRawBufferPointer(start: pointer, count: length), maxItems: maxItems, lazyText: textIndex)
    }

    /// Whether `table[field]` (read raw) of the table at `index` is a lazy array not yet touched.
    func isLazyJSONArray(field: String, ofTableAt index: Int32) -> Bool {
        let table = lua_absindex(L, index)
        guard lua_type(L, table) == LUA_TTABLE else { return false }
        defer { clua_pop(L, 1) }
        pushString(field)
        lua_rawget(L, table)
        return lazyJSONArray(at: -1) != nil
    }
}
