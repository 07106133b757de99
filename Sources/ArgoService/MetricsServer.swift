import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Serves `GET /metrics` (Prometheus text format 0.0.4) on loopback by default.
/// Started with ``start(host:port:metrics:)``; as a ``Service`` it runs until
/// graceful shutdown, then stops listening.
public final class MetricsServer: Service, Sendable {
    let channel: any Channel
    /// The port it listens on (the one chosen when started with port 0).
    public let port: Int

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    /// Binds `host:port` (port 0: any free port).
    public static func start(host: String = "127.0.0.1", port: Int, metrics: ArgoMetrics) async throws -> MetricsServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHandler(metrics: metrics))
                }
            }
            .bind(host: host, port: port).get()
        return MetricsServer(channel: channel)
    }

    public func run() async throws {
        try? await gracefulShutdown()
        try await close()
    }

    /// Stops listening.
    public func close() async throws {
        try await channel.close()
    }
}

/// Answers each request with the current exposition (or 404 / 405).
final class MetricsHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let metrics: ArgoMetrics

    init(metrics: ArgoMetrics) { self.metrics = metrics }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let request) = unwrapInboundIn(data) else { return }
        let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
        let (status, body, type): (HTTPResponseStatus, [UInt8], String) =
            if request.method != .GET && request.method != .HEAD {
                (.methodNotAllowed, Array("use GET /metrics\n".utf8), "text/plain; charset=utf-8")
            } else if path == "/metrics" {
                (.ok, metrics.exposition(), "text/plain; version=0.0.4; charset=utf-8")
            } else {
                (.notFound, Array("not found: try /metrics\n".utf8), "text/plain; charset=utf-8")
            }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: String(body.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !request.isKeepAlive {
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            written.whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
