import ArgoCore
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// ``HTTPTransport`` on AsyncHTTPClient: HTTP/2 where a TLS server offers it,
/// no redirects (a 3xx comes back as it is), gzip/deflate decompression.
final class AsyncHTTPClientBackend: Sendable {
    let client: HTTPClient
    let closeEachConnection: Bool

    init(configuration: HTTPTransport.Configuration) {
        var settings = HTTPClient.Configuration(
            // Not followed: AsyncHTTPClient would carry the request's headers (API keys) to another origin.
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(configuration.connectTimeout * 1000))),
            connectionPool: .init(
                idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1000)),
                concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, configuration.connectionsPerHost)),
            decompression: .enabled(limit: .ratio(100)))
        if let caFile = configuration.caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(caFile)
            settings.tlsConfiguration = tls
        }
        settings.httpVersion = .automatic
        closeEachConnection = configuration.connectionPerRequest
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: settings)
    }

    func shutdown() async throws { try await client.shutdown() }

    /// One exchange, ended by `deadline` whatever stage it is in.
    ///
    /// AsyncHTTPClient's own deadline covers a request only until the response
    /// head arrives; the body is read after `execute` returns, with no deadline
    /// at all. A body that stops arriving (an HTTP/2 stream starved of its flow-
    /// control window, a server that stalls mid-body) would hold the fetch, and
    /// the cycle, past every timeout. So the whole exchange races the deadline.
    func send(_ request: FetchRequest, deadline: NIODeadline, bodyRule: BodyRule) async throws -> (status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        try await withThrowingTaskGroup(of: Exchange?.self) { group in
            group.addTask { try await self.exchange(request, deadline: deadline, bodyRule: bodyRule) }
            group.addTask {
                // A moment past the deadline: until the head, AsyncHTTPClient's own deadline ends the
                // request first and says why (a failed handshake, say), which a race won here would hide.
                try await Task.sleep(nanoseconds: UInt64(max(0, (deadline - .now()).nanoseconds)) + Self.grace)
                return nil
            }
            defer { group.cancelAll() }
            guard let exchange = try await group.next() ?? nil else { throw HTTPClientError.deadlineExceeded }
            return exchange
        }
    }

    typealias Exchange = (status: Int, headers: [(name: String, value: String)], body: [UInt8])

    /// How long past its deadline an exchange may take to end on its own: 100 ms.
    static let grace: UInt64 = 100_000_000

    private func exchange(_ request: FetchRequest, deadline: NIODeadline, bodyRule: BodyRule) async throws -> Exchange {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if closeEachConnection { outgoing.headers.replaceOrAdd(name: "Connection", value: "close") }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(outgoing, deadline: deadline)
        let headers = response.headers.map { (name: $0.name.lowercased(), value: $0.value) }
        return (Int(response.status.code), headers, try await Self.readBody(response, bodyRule))
    }

    /// The body, gathered part by part under `rule` (``BodyCollector``).
    private static func readBody(_ response: HTTPClientResponse, _ rule: BodyRule) async throws -> [UInt8] {
        var body = BodyCollector(rule)
        if let declared = response.headers.first(name: "content-length").flatMap({ Int($0) }) {
            try body.expect(declaredLength: declared)
        }
        for try await chunk in response.body { try body.append(chunk) }
        return body.bytes
    }
}
