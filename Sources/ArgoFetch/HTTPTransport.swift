import ArgoCore
import NIOCore
import NIOPosix

/// The process's one HTTP client: keep-alive pools per host, certificate
/// verification on, gzip/deflate decompression. Create it once, share it, and
/// ``shutdown()`` it once at exit.
///
/// Requests go through Argo's own HTTP/1.1 client by default
/// (``Configuration/Client/argo``); AsyncHTTPClient stays selectable, for
/// HTTP/2 over TLS and to compare the two in `make bench-fetch`.
public final class HTTPTransport: Sendable {
    public struct Configuration: Sendable {
        /// The HTTP client implementation.
        public enum Client: String, Sendable, CaseIterable {
            /// Argo's HTTP/1.1 client (`ArgoFetch/HTTP1`): the default.
            case argo
            /// AsyncHTTPClient, with HTTP/2 where a TLS server offers it.
            case asyncHTTPClient = "async-http-client"
        }

        /// Connections kept per host. A hard limit with the Argo client; a
        /// soft one for HTTP/1.1 with AsyncHTTPClient.
        public var connectionsPerHost = 8
        /// Seconds an idle pooled connection is kept.
        public var idleTimeout: Double = 60
        /// Seconds to establish a connection.
        public var connectTimeout: Double = 5
        /// Sends `Connection: close` on every request, so each opens a new
        /// connection. For benchmarks that rebuild an unpooled client; never in service.
        public var connectionPerRequest = false
        /// A PEM file of certificate authorities to trust instead of the system's.
        public var caFile: String?
        /// Which HTTP client sends the requests.
        public var client = Client.argo
        public init() {}
    }

    private enum Backend: Sendable {
        case argo(HTTP1Client)
        case asyncHTTPClient(AsyncHTTPClientBackend)
    }

    private let backend: Backend

    public init(configuration: Configuration = Configuration()) {
        switch configuration.client {
        case .argo:
            var settings = HTTP1Client.Settings()
            settings.connectionsPerHost = max(1, configuration.connectionsPerHost)
            settings.idleTimeout = .milliseconds(Int64(configuration.idleTimeout * 1000))
            settings.connectTimeout = .milliseconds(Int64(configuration.connectTimeout * 1000))
            settings.closeEachConnection = configuration.connectionPerRequest
            settings.caFile = configuration.caFile
            backend = .argo(HTTP1Client(settings: settings))
        case .asyncHTTPClient:
            backend = .asyncHTTPClient(AsyncHTTPClientBackend(configuration: configuration))
        }
    }

    /// Closes every pooled connection. Call once, after the last request.
    public func shutdown() async throws {
        switch backend {
        case .argo(let client): await client.shutdown()
        case .asyncHTTPClient(let client): try await client.shutdown()
        }
    }

    /// Sends one request and reads the whole body, all before `deadline`.
    func send(_ request: FetchRequest, deadline: ContinuousClock.Instant, body bodyRule: BodyRule) async throws -> (status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        let remaining = ContinuousClock.now.duration(to: deadline)
        let nioDeadline = NIODeadline.now() + .nanoseconds(max(0, Int64(remaining.seconds * 1e9)))
        switch backend {
        case .argo(let client):
            let response = try await client.execute(method: request.method, url: request.url, headers: request.headers,
                                                    body: request.body, deadline: nioDeadline, bodyRule: bodyRule)
            return (response.status, response.headers, response.body)
        case .asyncHTTPClient(let client):
            return try await client.send(request, deadline: nioDeadline, bodyRule: bodyRule)
        }
    }
}
