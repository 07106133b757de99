@testable import ArgoFetch
import Foundation
import NIOCore
import NIOPosix
import Testing

/// A server that answers every request with the same raw bytes and, with
/// `close`, closes the connection after them: for responses a real HTTP
/// server library would not send (a body that runs to the close, one cut short).
final class RawServer: Sendable {
    let channel: any Channel
    var baseURL: String { "http://127.0.0.1:\(channel.localAddress?.port ?? 0)" }

    private init(channel: any Channel) { self.channel = channel }

    static func start(answer: [UInt8], close: Bool) async throws -> RawServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RawAnswer(answer: answer, close: close))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RawServer(channel: channel)
    }

    func shutdown() async throws { try await channel.close() }
}

private final class RawAnswer: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let answer: [UInt8]
    let close: Bool
    private var request: [UInt8] = []

    init(answer: [UInt8], close: Bool) {
        self.answer = answer
        self.close = close
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        request += unwrapInboundIn(data).readableBytesView
        // The request's head is complete (the client's GETs have no body).
        guard request.count >= 4, Array(request.suffix(4)) == Array("\r\n\r\n".utf8) else { return }
        request = []
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: answer))).assumeIsolated().whenComplete { [close] _ in
            if close { context.close(promise: nil) }
        }
    }
}

@Suite("Fetch: the HTTP/1.1 client's reading of bodies on the wire")
struct HTTP1WireTests {
    func get(_ client: HTTP1Client, _ url: String) async throws -> HTTP1Response {
        try await client.execute(method: "GET", url: url, headers: [], body: nil, deadline: .now() + .seconds(30),
                                 bodyRule: BodyRule(maxBytes: 1 << 20))
    }

    @Test("deflate (zlib) is inflated and its encoding and length headers dropped; a bomb and a corrupt body are malformed")
    func compressedBodies() async throws {
        // zlib.compress(b'{"deflated":true}' * 20) and zlib.compress(bytes(200_000), 9), from Python.
        let deflated = [UInt8](Data(base64Encoded: "eJyrVkpJTctJLElNUbIqKSpNra0eFaBUAACYXYCt")!)
        let bomb = [UInt8](Data(base64Encoded: "eNrtwTEBAAAAwqD1T20Gf6A" + String(repeating: "A", count: 257) + "gNcADW0AAQ==")!)
        let corrupt: [UInt8] = [31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let server = try await ScriptedServer.start { request in
            switch request.head.uri {
            case "/deflate": .reply(status: 200, headers: [("Content-Encoding", "deflate")], body: deflated)
            case "/bomb": .reply(status: 200, headers: [("Content-Encoding", "deflate")], body: bomb)
            default: .reply(status: 200, headers: [("Content-Encoding", "gzip")], body: corrupt)
            }
        }
        try await withHTTP1Client { client in
            let response = try await get(client, server.baseURL + "/deflate")
            #expect(response.body == Array(String(repeating: #"{"deflated":true}"#, count: 20).utf8))
            #expect(!response.headers.contains { $0.name == "content-encoding" || $0.name == "content-length" })
            let bombed = await http1ClientError { try await get(client, server.baseURL + "/bomb") }
            #expect(bombed.map { "\($0)" } == "\(HTTP1ClientError.malformedResponse("the body inflates past 100 times its size"))")
            let corrupted = await http1ClientError { try await get(client, server.baseURL + "/corrupt") }
            #expect(corrupted.map { "\($0)" } == "\(HTTP1ClientError.malformedResponse("the compressed body is corrupt"))")
            #expect(try await get(client, server.baseURL + "/deflate").status == 200, "the client goes on")
        }
        try await server.shutdown()
    }

    @Test("a body without a length ends at the close; a body cut short by the close fails, as received")
    func closeDelimited() async throws {
        let toClose = try await RawServer.start(answer: Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall until the close".utf8), close: true)
        let cutShort = try await RawServer.start(answer: Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfive!".utf8), close: true)
        try await withHTTP1Client { client in
            for _ in 0..<2 {
                let response = try await get(client, toClose.baseURL + "/x")
                #expect(response.status == 200 && response.body == Array("all until the close".utf8) && !response.keepAlive)
            }
            let error = await http1ClientError { try await get(client, cutShort.baseURL + "/x") }
            #expect(error.map { "\($0)" } == "\(HTTP1ClientError.closedBeforeResponse(receivedResponse: true))")
        }
        try await toClose.shutdown()
        try await cutShort.shutdown()
    }
}
