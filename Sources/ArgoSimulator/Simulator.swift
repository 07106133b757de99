import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// The upstream simulator: a real HTTP/1.1 server with keep-alive on one
/// loopback port, serving the six vendor APIs in their wire formats. With
/// ``SimulatorTLS`` it speaks TLS, and HTTP/2 too when offered by ALPN, as the
/// vendors' own fronts do.
///
/// ```swift
/// let simulator = try await Simulator.start(scenario: scenario)
/// defer { try await simulator.shutdown() }
/// // point sources at simulator.baseURL
/// ```
public final class Simulator: Sendable {
    /// The prices every vendor serves.
    public var market: SimulatedMarket { core.market }
    /// The port it listens on (the first, when it has several).
    public let port: Int
    /// Every port it listens on: one per upstream host to imitate, so a client
    /// keeps a separate connection pool per "vendor" as it would in production.
    public let ports: [Int]
    /// The host it listens on.
    public let host: String

    /// The certificate authority clients must trust, when it speaks TLS.
    public let tls: SimulatorTLS?

    let core: SimulatorCore
    private let channels: [any Channel]
    private let group: MultiThreadedEventLoopGroup

    private init(core: SimulatorCore, channels: [any Channel], group: MultiThreadedEventLoopGroup, host: String, tls: SimulatorTLS?) {
        self.core = core
        self.channels = channels
        self.group = group
        self.host = host
        self.tls = tls
        ports = channels.map { $0.localAddress?.port ?? 0 }
        port = ports[0]
    }

    /// `http://host:port`, or `https://` with TLS.
    public var baseURL: String { baseURLs[0] }

    /// The base URL of every listening port.
    public var baseURLs: [String] { ports.map { "\(tls == nil ? "http" : "https")://\(host):\($0)" } }

    /// How a simulator speaks on the wire.
    public struct Wire: Sendable {
        /// TLS with this throw-away authority; nil: plain HTTP/1.1.
        public var tls: SimulatorTLS?
        /// With TLS, HTTP/2 is offered by ALPN, with at most this many concurrent
        /// streams per connection (Cloudflare's front allows 256, nginx 128); nil: HTTP/1.1 only.
        public var http2MaxStreams: Int?

        public init(tls: SimulatorTLS? = nil, http2MaxStreams: Int? = nil) {
            self.tls = tls
            self.http2MaxStreams = http2MaxStreams
        }

        /// Plain HTTP/1.1.
        public static let plain = Wire()
    }

    /// The streams per HTTP/2 connection `--demo` and `argo simulate --tls` allow: Cloudflare's default.
    public static let demoHTTP2MaxStreams = 256

    /// Starts serving on `host:port` (port 0: any free port). Loopback only by default.
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, scenario: SimulatorScenario = SimulatorScenario(), threads: Int = 1,
        listeners: Int = 1, wire: Wire = .plain
    ) async throws -> Simulator {
        let today = scenario.today.flatMap { TradingDay(iso: Substring($0)) } ?? TradingDay.currentUTC()
        let market = SimulatedMarket(today: today, unlisted: Set(scenario.unlisted ?? ["XYZ", "ZZZZ", "NOPE"]))
        let core = SimulatorCore(market: market, knobs: scenario.routes)
        let tlsContext = try wire.tls?.serverContext(protocols: wire.http2MaxStreams == nil ? ["http/1.1"] : ["h2", "http/1.1"])
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        var channels: [any Channel] = []
        do {
            for index in 0..<max(1, listeners) {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    configure(channel, core: core, tls: tlsContext, http2MaxStreams: wire.http2MaxStreams)
                }
                .bind(host: host, port: index == 0 ? port : 0).get()
            channels.append(channel)
            }
            return Simulator(core: core, channels: channels, group: group, host: host, tls: wire.tls)
        } catch {
            for channel in channels { try? await channel.close() }
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// One accepted connection's pipeline: HTTP/1.1, or TLS and then HTTP/1.1 or HTTP/2 as ALPN decides.
    private static func configure(
        _ channel: any Channel, core: SimulatorCore, tls: NIOSSLContext?, http2MaxStreams: Int?
    ) -> EventLoopFuture<Void> {
        let connection = ConnectionTally()
        let http1: NIOChannelInitializer = { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                try channel.pipeline.syncOperations.addHandler(SimulatorHandler(core: core, connection: connection))
            }
        }
        guard let tls else { return http1(channel) }
        do {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        guard let http2MaxStreams else { return http1(channel) }
        return channel.configureHTTP2SecureUpgrade(
            h2ChannelConfigurator: { channel in
                connection.http2 = true
                return channel.configureHTTP2Pipeline(
                    mode: .server,
                    initialLocalSettings: [
                        HTTP2Setting(parameter: .maxConcurrentStreams, value: http2MaxStreams),
                        HTTP2Setting(parameter: .maxHeaderListSize, value: 1 << 14),
                    ]
                ) { stream in
                    stream.eventLoop.makeCompletedFuture {
                        try stream.pipeline.syncOperations.addHandlers([
                            HTTP2FramePayloadToHTTP1ServerCodec(), SimulatorHandler(core: core, connection: connection),
                        ])
                    }
                }.map { _ in }
            },
            http1ChannelConfigurator: http1)
    }

    /// Stops listening, closes connections and the event loops.
    public func shutdown() async throws {
        for channel in channels { try? await channel.close() }
        try await group.shutdownGracefully()
    }

    /// Replaces a route's knobs (latency, faults) from now on.
    public func setKnobs(_ knobs: RouteKnobs, for route: SimulatedRoute) { core.state.setKnobs(knobs, for: route) }

    /// Whether every HTTP/1.1 response closes its connection, so that each request
    /// of a client opens a new one (benchmarks rebuild an unpooled client this way).
    public var closesConnections: Bool {
        get { core.closesConnections.load(ordering: .relaxed) }
        set { core.closesConnections.store(newValue, ordering: .relaxed) }
    }

    /// Counters so far.
    public var stats: SimulatorStats { core.state.stats }

    /// Clears counters (knobs stay).
    public func reset() { core.state.reset() }
}

extension TradingDay {
    /// Today in UTC.
    static func currentUTC() -> TradingDay {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return TradingDay(daysSinceEpoch: now.tv_sec / 86_400)
    }
}

/// One connection: collects a request, answers it (after its delay, or never),
/// counts the connection for the route of its first request.
private final class SimulatorHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let core: SimulatorCore
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    /// Shared by the streams of one HTTP/2 connection.
    private let connection: ConnectionTally

    /// The route this handler counted its connection for (HTTP/1.1: the handler is the connection's).
    private var countedRoute: SimulatedRoute?

    init(core: SimulatorCore, connection: ConnectionTally) {
        self.core = core
        self.connection = connection
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let countedRoute, !connection.http2 { core.state.recordClose(route: countedRoute) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.removeAll(keepingCapacity: true)
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            self.head = nil
            let request = SimulatedRequest(
                method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body)
            let (response, route) = core.handle(request)
            if !connection.counted, let route = route ?? core.route(of: request) {
                connection.counted = true
                countedRoute = route
                core.state.recordConnection(route: route, http2: connection.http2)
            }
            if response.hang { return }
            let keepAlive = head.isKeepAlive && !core.closesConnections.load(ordering: .relaxed)
            if response.delay > 0 {
                context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(Simulator.boundedDelay(response.delay) * 1_000_000))) {
                    self.write(response, route: route, keepAlive: keepAlive, version: head.version, context: context)
                }
            } else {
                write(response, route: route, keepAlive: keepAlive, version: head.version, context: context)
            }
        }
    }

    private func write(
        _ response: SimulatedResponse, route: SimulatedRoute?, keepAlive: Bool, version: HTTPVersion,
        context: ChannelHandlerContext
    ) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders(response.headers)
        headers.replaceOrAdd(name: "Content-Length", value: "\(response.body.count)")
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        // Counted before the bytes leave: a client that has the body sees it in the stats.
        if let route { core.state.recordResponse(route: route, status: response.status, bytes: response.body.count) }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if !keepAlive { done.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }
}

extension Simulator {
    /// A scenario's delay in milliseconds, as scheduled: negative or not a number is none, more than an hour is an hour.
    static func boundedDelay(_ milliseconds: Double) -> Double {
        milliseconds.isFinite ? min(max(milliseconds, 0), 3_600_000) : 0
    }
}

/// Whether a connection was counted yet, for its first request's route.
///
/// `@unchecked Sendable`: a connection and its HTTP/2 streams share one event
/// loop, the only thread that touches `counted`.
private final class ConnectionTally: @unchecked Sendable {
    var counted = false
    /// Set when ALPN chose HTTP/2.
    var http2 = false
}
