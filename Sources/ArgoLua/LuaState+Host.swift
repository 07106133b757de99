internal import CLua
internal import CLuaGuard

/// A Swift function callable from Lua. It reads its arguments from the state's
/// stack, pushes its results and returns how many; a thrown error becomes a Lua
/// error raised by the C trampoline, never by Swift.
public typealias LuaHostFunction = (LuaState) throws -> Int32

extension LuaState {
    /// Pushes `body` as a Lua function.
    func pushHostFunction(_ body: @escaping LuaHostFunction) {
        hostFunctions.append(body)
        clua_push_host_function(L, Int32(hostFunctions.count - 1))
    }

    /// Number of arguments (stack slots) of the host function being called.
    public var argumentCount: Int32 { lua_gettop(L) }

    /// The bytes of the string argument at `index`, borrowed for `body`; throws a
    /// clear error naming `function` when the argument is not a string.
    func withStringArgument<R>(
        _ index: Int32, function: String, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R {
        guard lua_type(L, index) == LUA_TSTRING else {
            throw LuaHostError("\(function): argument #\(index) must be a string, got \(typeName(at: index))")
        }
        var length = 0
        let pointer = clua_tolstring(L, index, &length)
        return try body(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    /// Lua's type name of the value at `index`.
    func typeName(at index: Int32) -> String {
        String(cString: lua_typename(L, lua_type(L, index)))
    }
}

/// An error a host function reports to the Lua code that called it.
struct LuaHostError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The one C-callable entry for every host function: finds the owning LuaState
/// and the function by id, runs it, and turns a Swift error into a status the
/// trampoline raises.
private func luaHostDispatch(_ L: OpaquePointer?, _ id: Int32) -> Int32 {
    guard let L, let control = clua_control_of(L), let owner = control.pointee.owner else { return -1 }
    let state = Unmanaged<LuaState>.fromOpaque(owner).takeUnretainedValue()
    do {
        return try state.hostFunctions[Int(id)](state)
    } catch {
        let message = String(describing: error)
        message.utf8CString.withUnsafeBufferPointer { _ = lua_pushstring(L, $0.baseAddress) }
        return -1
    }
}

/// `luaHostDispatch` as the C function pointer the control block holds.
let luaHostDispatchPointer: @convention(c) (OpaquePointer?, Int32) -> Int32 = { L, id in luaHostDispatch(L, id) }

/// A valid pointer for zero-length strings (Lua wants non-NULL even for length 0).
/// `nonisolated(unsafe)`: allocated once, never written.
nonisolated(unsafe) let emptyCString: UnsafePointer<CChar> = {
    let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    pointer.initialize(to: 0)
    return UnsafePointer(pointer)
}()
