import NIOCore
import NIOHTTP1

/// One request for a connection's ``HTTP1ExchangeHandler``: what to send,
/// until when, how much body to accept, and where the response goes.
struct HTTP1Exchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var deadline: NIODeadline
    var bodyRule: BodyRule
    var promise: EventLoopPromise<HTTP1Response>
}

/// A whole response: status, headers with lower-cased names, the body, and
/// whether the connection may carry another request.
struct HTTP1Response: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var keepAlive: Bool
}

/// The last handler of a client connection: runs one exchange at a time.
///
/// It writes the request, then copies each body part straight into one array
/// (sized from `Content-Length` when given), or only what a ``BodyRule``'s
/// pruning keeps of it (``BodyCollector``), so no receive buffer outlives its
/// read and the channel's buffer pool keeps reusing one buffer. The exchange's
/// promise is completed exactly once: with the response at its end, or with
/// an ``HTTP1ClientError`` at the deadline, on a body past the limit, or when
/// the connection closes first.
final class HTTP1ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTP1Exchange
    typealias OutboundOut = HTTPClientRequestPart

    private var promise: EventLoopPromise<HTTP1Response>?
    /// The exchange's deadline, and the connection's one deadline timer (when
    /// it fires, or nil): an exchange leaves the timer running when it ends,
    /// and the next one keeps it if it fires no later than its own deadline,
    /// so exchanges do not schedule and cancel a timer each (cancelling
    /// searches the event loop's whole timer queue).
    private var deadline = NIODeadline.distantFuture
    private var timer: (fires: NIODeadline, task: Scheduled<Void>)?
    private var receivedResponse = false
    private var status = 0
    private var headers: [(name: String, value: String)] = []
    private var body = BodyCollector(BodyRule(maxBytes: 0))
    private var keepAlive = true
    private var requestKeepAlive = true

    func write(context: ChannelHandlerContext, data: NIOAny, promise writePromise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        // Accepted: from here on the exchange's promise is this handler's to complete.
        writePromise?.succeed(())
        guard promise == nil else {
            exchange.promise.fail(HTTP1ClientError.malformedResponse("a second request on a busy connection"))
            return
        }
        guard context.channel.isActive else {
            exchange.promise.fail(HTTP1ClientError.closedBeforeResponse(receivedResponse: false))
            return
        }
        promise = exchange.promise
        receivedResponse = false
        status = 0
        headers = []
        body = BodyCollector(exchange.bodyRule)
        keepAlive = true
        requestKeepAlive = exchange.head.isKeepAlive
        deadline = exchange.deadline
        if let timer, timer.fires > deadline {
            timer.task.cancel()
            self.timer = nil
        }
        if timer == nil { armTimer(context: context) }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let requestBody = exchange.body {
            context.write(wrapOutboundOut(.body(.byteBuffer(requestBody))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard promise != nil else {
            // Nothing asked for this (say, a 408 before the server closes): the connection is not reusable.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            receivedResponse = true
            // 1xx (other than an upgrade) come before the real response.
            if head.status.code >= 100, head.status.code < 200, head.status.code != 101 { return }
            status = Int(head.status.code)
            headers = head.headers.map { (name: $0.name.lowercased(), value: $0.value) }
            keepAlive = head.isKeepAlive && requestKeepAlive
            if let declared = head.headers.first(name: "content-length").flatMap({ Int($0) }) {
                do { try body.expect(declaredLength: declared) } catch { return fail(error, context: context) }
            }
        case .body(let part):
            do { try body.append(part) } catch { return fail(error, context: context) }
        case .end:
            let response = HTTP1Response(status: status, headers: headers, body: body.bytes, keepAlive: keepAlive)
            let finished = finish()
            body = BodyCollector(BodyRule(maxBytes: 0))
            headers = []
            if !response.keepAlive { context.close(promise: nil) }
            finished?.succeed(response)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()?.fail(HTTP1ClientError.closedBeforeResponse(receivedResponse: receivedResponse))
        timer?.task.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    /// Schedules the timer for the exchange's deadline. When it fires, it fails
    /// the exchange in progress if that one's deadline has passed, or waits on
    /// for the deadline of the exchange that followed.
    private func armTimer(context: ChannelHandlerContext) {
        let fires = deadline
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: fires) { [self] in
            timer = nil
            guard promise != nil else { return }
            if NIODeadline.now() >= deadline {
                fail(HTTP1ClientError.deadline, context: context)
            } else {
                armTimer(context: context)
            }
        }
        timer = (fires, task)
    }

    /// Fails the exchange in progress, if any, and closes the connection.
    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        finish()?.fail(error)
        body = BodyCollector(BodyRule(maxBytes: 0))
        context.close(promise: nil)
    }

    /// Ends the exchange in progress: its promise is handed back to be completed
    /// (the timer stays for the next exchange; with none, it fires idle).
    private func finish() -> EventLoopPromise<HTTP1Response>? {
        defer { promise = nil }
        return promise
    }
}
