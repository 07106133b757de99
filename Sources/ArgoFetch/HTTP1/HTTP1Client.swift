import ArgoCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// Argo's HTTP/1.1 client: keep-alive pools per origin with a hard limit,
/// TLS with certificate and host-name verification, gzip/deflate
/// decompression, same-origin redirects, and a deadline on every exchange.
///
/// It does less than a general client (no HTTP/2, no proxies) and costs less:
/// each body part is copied once, straight from the receive buffer into the
/// body, so a connection keeps one receive buffer instead of a pool of them.
/// docs/http.md has the measurements it was kept on, against AsyncHTTPClient.
final class HTTP1Client: Sendable {
    struct Settings: Sendable {
        /// A hard limit per origin; `.max`: none (the sources' in-flight caps bound the connections).
        var connectionsPerHost = Int.max
        var idleTimeout: TimeAmount = .seconds(60)
        var connectTimeout: TimeAmount = .seconds(5)
        var maxRedirects = 3
        /// A PEM file of the certificate authorities to trust instead of the system's.
        var caFile: String?
    }

    private let settings: Settings
    private let group: any EventLoopGroup
    private let pools: OriginPools
    private let sweeper: RepeatedTask
    private let tls = Mutex<NIOSSLContext?>(nil)
    let resolver: OriginResolver

    init(settings: Settings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.settings = settings
        self.group = group
        let pools = OriginPools(limit: settings.connectionsPerHost, group: group)
        self.pools = pools
        resolver = OriginResolver(loop: group.next())
        let idle = settings.idleTimeout
        let every = TimeAmount.nanoseconds(max(idle.nanoseconds / 2, 10_000_000))
        sweeper = group.next().scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
            let cutoff = NIODeadline.now() - idle
            for pool in pools.all { pool.closeIdle(before: cutoff) }
        }
    }

    /// Sends a request, following up to `maxRedirects` redirects that stay on
    /// the same origin (a redirect elsewhere is returned as it is, so no
    /// header with a secret leaves for another host), and reads the whole response.
    func execute(
        method: String, url: String, headers: [FetchRequest.Header], body: [UInt8]?,
        deadline: NIODeadline, bodyRule: BodyRule
    ) async throws -> HTTP1Response {
        var target = try RequestTarget(url: url)
        var method = HTTPMethod(rawValue: method)
        var body = body.map { ByteBuffer(bytes: $0) }
        var visited: [String] = []  // the targets redirected from (a handful at most)
        while true {
            let response = try await send(method: method, target: target, headers: headers, body: body,
                                          deadline: deadline, bodyRule: bodyRule)
            guard Self.redirectStatuses.contains(response.status), visited.count < settings.maxRedirects,
                  let location = response.headers.first(where: { $0.name == "location" })?.value,
                  let next = try? target.resolving(location), next.origin == target.origin
            else { return response }
            visited.append(target.pathAndQuery)
            guard !visited.contains(next.pathAndQuery) else { return response }
            if response.status == 303 || (method == .POST && response.status < 307) {
                method = .GET
                body = nil
            }
            target = next
        }
    }

    /// Closes every connection; requests after this fail.
    func shutdown() async {
        sweeper.cancel()
        for pool in pools.closeAll() { await pool.shutdown() }
    }

    /// The pool for an origin (for tests).
    func pool(for url: String) throws -> HTTP1ConnectionPool { pools.pool(for: try RequestTarget(url: url).origin) }

    private static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]
    private static let idempotent: [HTTPMethod] = [.GET, .HEAD, .PUT, .DELETE, .OPTIONS]

    /// One exchange on a pooled connection. An idempotent request that finds
    /// its reused connection already closed by the server goes again on another.
    private func send(
        method: HTTPMethod, target: RequestTarget, headers: [FetchRequest.Header], body: ByteBuffer?,
        deadline: NIODeadline, bodyRule: BodyRule
    ) async throws -> HTTP1Response {
        if let bad = headers.first(where: { !Self.isSafe($0.name) || !Self.isSafe($0.value) }) {
            throw HTTP1ClientError.invalidHeader(Self.isSafe(bad.name) ? bad.name : "?")
        }
        let request = HTTP1Request(method: method, target: target, headers: headers, body: body)
        let pool = pools.pool(for: target.origin)
        var staleRetries = 0
        while true {
            let connection: HTTP1Connection
            let reused: Bool
            switch try await pool.lease(deadline: deadline) {
            case .reuse(let pooled):
                connection = pooled
                reused = true
            case .connect:
                do {
                    connection = try await connect(to: target.origin, deadline: deadline)
                } catch {
                    pool.openFailed()
                    throw error
                }
                pool.opened(connection)
                reused = false
            }
            do {
                let response = try await connection.exchange(request, deadline: deadline, bodyRule: bodyRule)
                pool.release(connection, reusable: response.keepAlive)
                return response
            } catch let error as HTTP1ClientError where error.isStaleConnection && reused && Self.idempotent.contains(method) && staleRetries < 2 {
                pool.release(connection, reusable: false)
                staleRetries += 1
            } catch {
                pool.release(connection, reusable: false)
                throw error
            }
        }
    }

    private func connect(to origin: RequestTarget.Origin, deadline: NIODeadline) async throws -> HTTP1Connection {
        let remaining = deadline - .now()
        guard remaining > .zero else { throw HTTP1ClientError.deadline }
        let context = origin.secure ? try tlsContext() : nil
        // SNI and name checks take a host name; an IP address is checked against the certificate's IP entries.
        let serverName = Self.isIPAddress(origin.host) ? nil : origin.host
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(min(settings.connectTimeout, remaining))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: BurstReceiveAllocator())
            .channelOption(.maxMessagesPerRead, value: BurstReceiveAllocator.readsPerEvent)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let context { try pipeline.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverName)) }
                    try pipeline.addHandler(HTTP1ExchangeHandler())
                }
            }
        let addresses = try await resolver.addresses(for: origin)
        for (index, address) in addresses.enumerated() {
            do {
                return HTTP1Connection(channel: try await bootstrap.connect(to: address).get())
            } catch where index < addresses.count - 1 {
                continue  // the next address of the host
            } catch {
                resolver.forget(origin)
                throw error
            }
        }
        throw HTTP1ClientError.closedBeforeResponse(receivedResponse: false)
    }

    /// One TLS context for every origin, built on first use (loading the trust roots once).
    private func tlsContext() throws -> NIOSSLContext {
        try tls.withLock { context in
            if let context { return context }
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let caFile = settings.caFile { configuration.trustRoots = .file(caFile) }
            let made = try NIOSSLContext(configuration: configuration)
            context = made
            return made
        }
    }

    /// No CR, LF, NUL or other control byte but tab: nothing that could end a header early.
    static func isSafe(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }
    }

    static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || (!host.isEmpty && host.allSatisfy { $0 == "." || $0.isASCII && $0.isNumber })
    }
}
