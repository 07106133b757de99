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

    func send(_ request: FetchRequest, deadline: NIODeadline, bodyRule: BodyRule) async throws -> (status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
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
