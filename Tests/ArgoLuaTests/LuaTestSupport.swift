import ArgoLua

/// A state with small limits, so limit tests run quickly.
func makeState(
    memory: Int = 16 << 20, instructions: Int = 2_000_000, library: LuaLibrary = LuaLibrary()
) throws -> LuaState {
    try LuaState(limits: LuaLimits(memoryBytes: memory, instructionsPerCall: instructions), library: library)
}

/// Loads `source` as the plugin file `plugins/<name>.lua`.
func loadPlugin(_ state: LuaState, _ name: String, _ source: String) throws -> LuaReference {
    try state.loadChunk(Array(source.utf8), chunkName: "plugins/\(name).lua", plugin: name)
}

/// Runs `body` and returns the LuaError it throws, or nil.
func luaError(_ body: () throws -> Void) -> LuaError? {
    do {
        try body()
        return nil
    } catch let error as LuaError {
        return error
    } catch {
        return LuaError(kind: .internal, message: "unexpected error type: \(error)")
    }
}
