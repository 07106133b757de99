/// A configuration failure, pointing at the file and line or the environment
/// variable that holds the bad value.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `Config/argo.yaml:12`, or `ARGO_CYCLE_DEADLINE (environment)`.
    public var origin: String
    public var message: String
    public init(origin: String, message: String) {
        self.origin = origin
        self.message = message
    }
    public var description: String { "\(origin): \(message)" }
}
