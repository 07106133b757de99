import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix

/// The process's one HTTP client: keep-alive pools per host, HTTP/2 where a TLS
/// server offers it, certificate verification on, gzip/deflate decompression.
/// Create it once, share it, and ``shutdown()`` it once at exit.
public final class HTTPTransport: Sendable {
    public struct Configuration: Sendable {
        /// HTTP/1.1 connections kept per host (a soft limit).
        public var connectionsPerHost = 8
        /// Seconds an idle pooled connection is kept.
        public var idleTimeout: Double = 60
        /// Seconds to establish a connection.
        public var connectTimeout: Double = 5
        /// Sends `Connection: close` on every request, so each opens a new
        /// connection. For benchmarks that rebuild an unpooled client; never in service.
        public var connectionPerRequest = false
        public init() {}
    }

    let client: HTTPClient
    let closeEachConnection: Bool

    public init(configuration: Configuration = Configuration()) {
        var settings = HTTPClient.Configuration(
            redirectConfiguration: .follow(max: 3, allowCycles: false),
            timeout: .init(connect: .milliseconds(Int64(configuration.connectTimeout * 1000))),
            connectionPool: .init(
                idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1000)),
                concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, configuration.connectionsPerHost)),
            decompression: .enabled(limit: .ratio(100)))
        settings.httpVersion = .automatic
        closeEachConnection = configuration.connectionPerRequest
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: settings)
    }

    /// Closes every pooled connection. Call once, after the last request.
    public func shutdown() async throws { try await client.shutdown() }

    /// Sends one request and reads the whole body, all before `deadline`.
    func send(_ request: FetchRequest, deadline: ContinuousClock.Instant, maxBodyBytes: Int) async throws -> (status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if closeEachConnection { outgoing.headers.replaceOrAdd(name: "Connection", value: "close") }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let remaining = ContinuousClock.now.duration(to: deadline)
        let nioDeadline = NIODeadline.now() + .nanoseconds(max(0, Int64(remaining.seconds * 1e9)))
        let response = try await client.execute(outgoing, deadline: nioDeadline)
        let headers = response.headers.map { (name: $0.name.lowercased(), value: $0.value) }
        return (Int(response.status.code), headers, try await Self.readBody(response, upTo: maxBodyBytes))
    }

    /// The body in one array, sized once from `Content-Length` when it is
    /// given: each chunk is copied once, with no buffer regrown on the way.
    private static func readBody(_ response: HTTPClientResponse, upTo maxBytes: Int) async throws -> [UInt8] {
        var body: [UInt8] = []
        if let declared = response.headers.first(name: "content-length").flatMap({ Int($0) }), declared > 0 {
            guard declared <= maxBytes else { throw BodyTooLarge() }
            body.reserveCapacity(declared)
        }
        for try await chunk in response.body {
            guard body.count + chunk.readableBytes <= maxBytes else { throw BodyTooLarge() }
            chunk.withUnsafeReadableBytes { body.append(contentsOf: $0) }
        }
        return body
    }

    /// A body past the source's `maxBodyBytes` (classified as "response body too large").
    struct BodyTooLarge: Error, CustomStringConvertible {
        var description: String { "TooManyBytes: the body exceeds the limit" }
    }
}
