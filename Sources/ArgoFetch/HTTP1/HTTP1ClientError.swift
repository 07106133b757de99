/// Why an exchange on Argo's HTTP/1.1 client failed. The fetch core turns
/// each into a ``FetchError`` (``Fetcher`` `classify`): `deadline` is a
/// timeout, `bodyTooLarge` and `malformedResponse` bad responses, `invalidURL`
/// and `invalidHeader` plugin errors, the rest transient failures.
enum HTTP1ClientError: Error, Sendable, CustomStringConvertible {
    /// The URL cannot be sent (scheme, host or port).
    case invalidURL(String)
    /// A header name or value holds a line break or another control byte (the header's name).
    case invalidHeader(String)
    /// The host name has no address (`getaddrinfo`'s reason).
    case unknownHost(String, String)
    /// The request's deadline passed before its response ended.
    case deadline
    /// The body (declared or received) is past the source's `max_body_bytes`.
    case bodyTooLarge
    /// The connection closed before the response ended. `receivedResponse`
    /// says whether any of the response had arrived.
    case closedBeforeResponse(receivedResponse: Bool)
    /// The response could not be read as HTTP/1.1.
    case malformedResponse(String)
    /// The client was shut down.
    case shutDown

    var description: String {
        switch self {
        case .invalidURL(let why): "invalid URL: \(why)"
        case .invalidHeader(let name): "header '\(name)' has a line break or a control character"
        case .unknownHost(let host, let why): "cannot resolve \(host): \(why)"
        case .deadline: "deadline exceeded before the response ended"
        case .bodyTooLarge: "the body exceeds the limit"
        case .closedBeforeResponse(let received):
            received ? "the connection closed in the middle of the response" : "the connection closed before a response"
        case .malformedResponse(let why): "malformed response: \(why)"
        case .shutDown: "the HTTP client was shut down"
        }
    }

    /// A pooled connection the server had already closed: nothing of the
    /// response came back, so an idempotent request can go again on a new one.
    var isStaleConnection: Bool {
        if case .closedBeforeResponse(receivedResponse: false) = self { return true }
        return false
    }
}
