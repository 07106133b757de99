import ArgoCore
import NIOCore
import NIOPosix

/// The process's one HTTP client, Argo's own HTTP/1.1 client on SwiftNIO
/// (`ArgoFetch/HTTP1`): keep-alive pools per host with a hard limit, TLS with
/// certificate verification, gzip/deflate decompression, every exchange ended
/// by its deadline. Create it once, share it, and ``shutdown()`` it once at exit.
/// docs/http.md says why this client and not AsyncHTTPClient.
public final class HTTPTransport: Sendable {
    public struct Configuration: Sendable {
        /// Connections per host, at most; nil (the default): as many as the
        /// requests in flight to it, which each source's own `max_concurrency`
        /// bounds. A pool sized so never throttles a large watch list by itself.
        public var connectionsPerHost: Int?
        /// Seconds an idle pooled connection is kept.
        public var idleTimeout: Double = 60
        /// Seconds to establish a connection.
        public var connectTimeout: Double = 5
        /// A PEM file of certificate authorities to trust instead of the system's.
        public var caFile: String?
        public init() {}
    }

    private let client: HTTP1Client

    public init(configuration: Configuration = Configuration()) {
        var settings = HTTP1Client.Settings()
        settings.connectionsPerHost = configuration.connectionsPerHost.map { max(1, $0) } ?? .max
        settings.idleTimeout = .milliseconds(Int64(configuration.idleTimeout * 1000))
        settings.connectTimeout = .milliseconds(Int64(configuration.connectTimeout * 1000))
        settings.caFile = configuration.caFile
        client = HTTP1Client(settings: settings)
    }

    /// Closes every pooled connection. Call once, after the last request.
    public func shutdown() async throws {
        await client.shutdown()
    }

    /// Sends one request and reads the whole body, all before `deadline`.
    func send(_ request: FetchRequest, deadline: ContinuousClock.Instant, body bodyRule: BodyRule) async throws -> (status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        let remaining = ContinuousClock.now.duration(to: deadline)
        let nioDeadline = NIODeadline.now() + .nanoseconds(max(0, Int64(remaining.seconds * 1e9)))
        let response = try await client.execute(method: request.method, url: request.url, headers: request.headers,
                                                body: request.body, deadline: nioDeadline, bodyRule: bodyRule)
        return (response.status, response.headers, response.body)
    }
}
