/// The error table a lazy JSON array raises in Lua code that touches it and
/// finds it malformed: `{ kind = kind, message = message .. ": " .. why }`.
/// The layer above chooses the words its own callers expect (the plugin host:
/// `bad_response`, "body is not JSON").
public struct LazyJSONFailure: Sendable, Equatable {
    public var kind: String
    public var message: String

    public init(kind: String = "json", message: String = "not JSON") {
        self.kind = kind
        self.message = message
    }
}
