internal import CLua
internal import CLuaGuard

/// One sandboxed Lua 5.4 interpreter with a memory cap, an instruction budget
/// and a time limit per call.
///
/// A state is single-threaded: use it from one task at a time. ``LuaStatePool``
/// hands states out that way. Plugin code runs in environments made by
/// ``loadChunk(_:chunkName:plugin:)``, never in the state's own globals.
///
/// Errors never unwind through Swift: Lua raises only from the C shim, and while
/// Swift pushes values the allocator records an overrun instead of failing.
public final class LuaState {
    let L: OpaquePointer
    let control: UnsafeMutablePointer<clua_control>
    /// The limits every call runs under.
    public let limits: LuaLimits
    /// Modules `require` can load.
    public let library: LuaLibrary
    /// The error a lazy JSON array raises when touched and found malformed.
    public let lazyJSONFailure: LazyJSONFailure

    var hostFunctions: [(LuaState) throws -> Int32] = []
    var makeEnvironmentRef: Int32 = 0
    var jsonNullRef: Int32 = 0
    var jsonNullPointer: UnsafeRawPointer?
    /// The metamethods of lazy JSON arrays (`LuaState+LazyJSON.swift`), made by the sandbox prelude.
    var lazyJSONMethodsRef: Int32 = 0
    /// Values the conversion under way may still copy (``value(at:)``).
    var valuesLeftToConvert = 0
    /// Reused by the JSON decoder for strings with escapes.
    var scratch: [UInt8] = []

    /// Set when a limit error left the state holding more than it should, or
    /// stopped a library function midway; the pool replaces such a state instead
    /// of reusing it.
    public internal(set) var needsReplacement = false

    /// When the borrower's work must be done (a cycle's deadline): each call's time
    /// limit is cut to it, and a call that would start after it fails at once.
    public var deadline: ContinuousClock.Instant?

    /// Whether the running call's time limit is the borrower's deadline rather than ``LuaLimits/timePerCall``.
    private var callCutByDeadline = false

    /// CPU time this state's calls have used, in nanoseconds (their threads' CPU clocks).
    public private(set) var cpuNanoseconds: UInt64 = 0

    /// Creates a state with the sandbox prepared.
    public init(limits: LuaLimits = LuaLimits(), library: LuaLibrary = LuaLibrary(), lazyJSONFailure: LazyJSONFailure = LazyJSONFailure()) throws {
        self.limits = limits
        self.library = library
        self.lazyJSONFailure = lazyJSONFailure
        control = .allocate(capacity: 1)
        control.initialize(to: clua_control())
        guard let state = lua_newstate(clua_alloc, control) else {
            clua_pool_release(control)
            control.deallocate()
            throw LuaError(kind: .internal, message: "lua_newstate failed: out of memory")
        }
        L = state
        control.pointee.dispatch = luaHostDispatchPointer
        control.pointee.owner = Unmanaged.passUnretained(self).toOpaque()
        try installSandbox()
        control.pointee.limit = limits.memoryBytes
    }

    deinit {
        lua_close(L)
        clua_pool_release(control)
        control.deallocate()
    }

    /// Bytes this state holds now.
    public var memoryInUse: Int { control.pointee.used }
    /// The most bytes this state has held.
    public var peakMemory: Int { control.pointee.peak }
    /// Bytes of small-block chunks this state keeps, in use or free (freed blocks
    /// stay with the state: see `shim.h`).
    public var pooledMemory: Int { control.pointee.pool_bytes }

    /// Whether the state keeps far more freed memory than it uses: its pool grew
    /// for something large (a huge decoded body, a plugin's burst) and would hold
    /// that memory for good. ``LuaStatePool`` then replaces it, giving the memory back.
    public var holdsIdleMemory: Bool { pooledMemory - memoryInUse > Self.idleMemoryLimit }

    /// Freed pool memory a state may keep: 16 MiB (a normal cycle's states keep a few).
    public static let idleMemoryLimit = 16 << 20

    /// Runs a full garbage collection.
    public func collectGarbage() { _ = clua_gc_collect(L) }

    // MARK: - Protected calls

    /// Calls the function below `argumentCount` arguments on top of the stack, in
    /// protected mode, under the budget and the memory cap. On return the results
    /// (`resultCount`, or all with `LUA_MULTRET`) replace function and arguments.
    func protectedCall(argumentCount: Int32, resultCount: Int32, plugin: String?, function: String?) throws {
        let functionIndex = lua_gettop(L) - argumentCount
        if control.pointee.over_limit != 0 {
            lua_settop(L, functionIndex - 1)
            throw limitFailure(kind: .memoryLimit, luaMessage: nil, plugin: plugin, function: function)
        }
        var timeLimit = limits.timePerCall
        if let deadline {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero {
                lua_settop(L, functionIndex - 1)
                throw limitFailure(kind: .timeLimit, luaMessage: nil, plugin: plugin, function: function, deadlinePassed: true)
            }
            timeLimit = min(timeLimit, remaining)
        }
        callCutByDeadline = timeLimit < limits.timePerCall
        lua_pushcclosure(L, clua_message_handler, 0)
        clua_insert(L, functionIndex)
        let cpuBefore = clua_thread_cpu_ns()
        clua_arm(L, Int64(limits.instructionsPerCall), Int32(limits.hookInterval), Self.nanoseconds(timeLimit))
        control.pointee.over_limit = 0
        control.pointee.strict = 1
        let status = clua_pcall(L, argumentCount, resultCount, functionIndex)
        control.pointee.strict = 0
        clua_disarm(L)
        cpuNanoseconds &+= clua_thread_cpu_ns() &- cpuBefore
        clua_remove(L, functionIndex)
        if status == LUA_OK {
            control.pointee.over_limit = 0
            return
        }
        let error = failure(status: status, plugin: plugin, function: function)
        lua_settop(L, functionIndex - 1)
        throw error
    }

    /// Builds the error for a failed pcall from the error value on top of the stack.
    private func failure(status: Int32, plugin: String?, function: String?) -> LuaError {
        let traceback = takeTraceback()
        let exceededBudget = control.pointee.budget_exceeded != 0
        let hitMemory = status == LUA_ERRMEM || control.pointee.over_limit != 0
        control.pointee.over_limit = 0
        // A limit that stopped a library function or a host function midway may have
        // left it half done (a buffer, a half-built table): the state is not reused.
        let exceededTime = control.pointee.time_exceeded != 0
        if control.pointee.in_library != 0 || exceededTime { needsReplacement = true }
        var message: String?
        var value: LuaValue?
        if lua_type(L, -1) == LUA_TSTRING {
            message = string(at: -1)
        } else if lua_type(L, -1) == LUA_TTABLE {
            value = try? self.value(at: -1)
            message = value?["message"].stringValue
        }
        if exceededTime {
            return limitFailure(kind: .timeLimit, luaMessage: message, plugin: plugin, function: function)
        }
        if exceededBudget {
            return limitFailure(kind: .instructionLimit, luaMessage: message, plugin: plugin, function: function)
        }
        if hitMemory {
            return limitFailure(kind: .memoryLimit, luaMessage: message, plugin: plugin, function: function)
        }
        var error = LuaError(
            kind: status == LUA_ERRRUN ? .runtime : .internal,
            luaMessage: message ?? "(error object is a \(value?.typeName ?? "non-string") value)",
            traceback: traceback)
        error.plugin = plugin
        error.function = function
        error.value = value
        return error
    }

    /// An error for a limit: names the limit; keeps Lua's position when it gave one.
    private func limitFailure(
        kind: LuaError.Kind, luaMessage: String?, plugin: String?, function: String?, deadlinePassed: Bool = false
    ) -> LuaError {
        if deadlinePassed || (kind == .timeLimit && callCutByDeadline) {
            var error = LuaError(
                kind: .timeLimit, message: deadlinePassed ? "the deadline passed before the call could start" : "the deadline passed during the call",
                plugin: plugin, function: function)
            error.byDeadline = true
            return error
        }
        let position = luaMessage.map(LuaError.splitPosition)
        let limit = switch kind {
        case .instructionLimit: "instruction budget of \(limits.instructionsPerCall) instructions exceeded"
        case .timeLimit: "time limit of \(timeLimitText) exceeded"
        default: "memory limit of \(limits.memoryBytes >> 20) MiB exceeded"
        }
        collectGarbage()
        // A state that went over its cap may have been stopped anywhere (inside a
        // host or library function): it is not reused.
        if kind == .memoryLimit || control.pointee.used > limits.memoryBytes / 2 { needsReplacement = true }
        return LuaError(
            kind: kind, message: limit, chunk: position?.chunk, line: position?.line, plugin: plugin,
            function: function)
    }

    /// The per-call time limit as messages give it (`2 s`, `250 ms`).
    var timeLimitText: String {
        let milliseconds = Self.nanoseconds(limits.timePerCall) / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }

    /// A duration in whole nanoseconds, at least 1 (0 would mean no limit), saturating.
    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 1 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return UInt64.max }
        return max(1, whole &+ UInt64(attoseconds / 1_000_000_000))
    }

    /// The traceback the message handler stored, cleared from the registry.
    private func takeTraceback() -> String? {
        lua_getfield(L, clua_registryindex(), "argo.traceback")
        let text = lua_type(L, -1) == LUA_TSTRING ? string(at: -1) : nil
        clua_pop(L, 1)
        lua_pushnil(L)
        lua_setfield(L, clua_registryindex(), "argo.traceback")
        return text
    }

    /// The string at `index` (which must be a string), decoded as UTF-8 with
    /// replacement characters.
    func string(at index: Int32) -> String {
        var length = 0
        guard let pointer = clua_tolstring(L, index, &length) else { return "" }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
