import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// An HTTP/1.1 server on 127.0.0.1 (plain or TLS with the loopback test
/// certificate) whose every answer the test scripts: for the client's edge
/// cases that the simulator has no knob for.
final class ScriptedServer: Sendable {
    struct Request: Sendable {
        var head: HTTPRequestHead
        var body: [UInt8]
        /// 1 for the first connection accepted, and so on.
        var connection: Int
        /// 1 for the first request on its connection.
        var sequence: Int
    }

    enum Answer: Sendable {
        /// A response; `close` closes the connection after it (without saying so in a header).
        case reply(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], close: Bool = false, delayMilliseconds: Int64 = 0)
        /// Closes the connection without answering.
        case closeWithoutReply
        /// Sends the head (declaring `declared` bytes) and `sent` bytes of body, then nothing.
        case stall(declared: Int, sent: Int)
    }

    let port: Int
    private let channel: any Channel
    private let log: Log

    final class Log: Sendable {
        let requests = Mutex<[Request]>([])
        let connections = Atomic<Int>(0)
        let open = Atomic<Int>(0)
        let maxOpen = Atomic<Int>(0)
    }

    var requests: [Request] { log.requests.withLock { $0 } }
    var connections: Int { log.connections.load(ordering: .relaxed) }
    /// The most connections open at once.
    var maxOpenConnections: Int { log.maxOpen.load(ordering: .relaxed) }

    private init(port: Int, channel: any Channel, log: Log) {
        self.port = port
        self.channel = channel
        self.log = log
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static let fixtures = String(#filePath.dropLast("ScriptedServer.swift".count)) + "Fixtures/"

    static func start(tls: Bool = false, answer: @escaping @Sendable (Request) -> Answer) async throws -> ScriptedServer {
        let log = Log()
        let context: NIOSSLContext? = try tls ? NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: NIOSSLCertificate.fromPEMFile(fixtures + "loopback-cert.pem").map { .certificate($0) },
            privateKey: .privateKey(NIOSSLPrivateKey(file: fixtures + "loopback-key.pem", format: .pem)))) : nil
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let number = log.connections.wrappingAdd(1, ordering: .relaxed).newValue
                    let open = log.open.wrappingAdd(1, ordering: .relaxed).newValue
                    log.maxOpen.max(open, ordering: .relaxed)
                    channel.closeFuture.whenComplete { _ in log.open.wrappingSubtract(1, ordering: .relaxed) }
                    if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ScriptedHandler(connection: number, log: log, answer: answer))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedServer(port: channel.localAddress?.port ?? 0, channel: channel, log: log)
    }

    func shutdown() async throws { try await channel.close() }
}

private final class ScriptedHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let connection: Int
    let log: ScriptedServer.Log
    let answer: @Sendable (ScriptedServer.Request) -> ScriptedServer.Answer
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var sequence = 0

    init(connection: Int, log: ScriptedServer.Log, answer: @escaping @Sendable (ScriptedServer.Request) -> ScriptedServer.Answer) {
        self.connection = connection
        self.log = log
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
            body = []
        case .body(let part):
            body.append(contentsOf: part.readableBytesView)
        case .end:
            guard let head else { return }
            sequence += 1
            let request = ScriptedServer.Request(head: head, body: body, connection: connection, sequence: sequence)
            log.requests.withLock { $0.append(request) }
            respond(answer(request), context: context)
        }
    }

    private func respond(_ answer: ScriptedServer.Answer, context: ChannelHandlerContext) {
        switch answer {
        case .closeWithoutReply:
            context.close(promise: nil)
        case .stall(let declared, let sent):
            var headers = HTTPHeaders([("Content-Length", "\(declared)")])
            headers.add(name: "Content-Type", value: "application/json")
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(repeating: UInt8(ascii: "x"), count: sent)))), promise: nil)
        case .reply(let status, let extra, let bytes, let close, let delay):
            let send = { [self] in
                var headers = HTTPHeaders(extra)
                if !headers.contains(name: "Content-Length"), !headers.contains(name: "Transfer-Encoding") {
                    headers.add(name: "Content-Length", value: "\(bytes.count)")
                }
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))), promise: nil)
                if !bytes.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes)))), promise: nil) }
                context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                    if close { context.close(promise: nil) }
                }
            }
            if delay > 0 {
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(delay)) { send() }
            } else {
                send()
            }
        }
    }
}
