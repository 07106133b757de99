import NIOCore

/// One request for a connection's ``HTTP1ExchangeHandler``: what to send,
/// until when, how much body to accept, and where the response goes.
struct HTTP1Exchange: Sendable {
    var request: HTTP1Request
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

/// The one handler of a client connection (after TLS, when the URL is https):
/// runs one exchange at a time, straight on the connection's bytes.
///
/// It writes the request's bytes, reads the response with an
/// ``HTTP1ResponseParser`` and copies each body part straight from the
/// receive buffer into one array (sized from `Content-Length` when given),
/// through an ``HTTP1Inflater`` when the body is gzip or deflate, or only what
/// a ``BodyRule``'s pruning keeps of it (``BodyCollector``), so no receive
/// buffer outlives its read and the channel's buffer pool keeps reusing one
/// buffer. The exchange's promise is completed exactly once: with the
/// response at its end, or with an ``HTTP1ClientError`` at the deadline, on a
/// malformed response, on a body past the limit, or when the connection closes first.
final class HTTP1ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = HTTP1Exchange
    typealias OutboundOut = ByteBuffer

    private var promise: EventLoopPromise<HTTP1Response>?
    /// The exchange's deadline, and the connection's one deadline timer (when
    /// it fires, or nil): an exchange leaves the timer running when it ends,
    /// and the next one keeps it if it fires no later than its own deadline,
    /// so exchanges do not schedule and cancel a timer each (cancelling
    /// searches the event loop's whole timer queue).
    private var deadline = NIODeadline.distantFuture
    private var timer: (fires: NIODeadline, task: Scheduled<Void>)?
    private var parser = HTTP1ResponseParser()
    private var head: HTTP1ResponseHead?
    private var inflater: HTTP1Inflater?
    private var body = BodyCollector(BodyRule(maxBytes: 0))
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
        parser = HTTP1ResponseParser(requestWasHead: exchange.request.isHead)
        head = nil
        inflater = nil
        body = BodyCollector(exchange.bodyRule)
        requestKeepAlive = exchange.request.keepAlive
        deadline = exchange.deadline
        if let timer, timer.fires > deadline {
            timer.task.cancel()
            self.timer = nil
        }
        if timer == nil { armTimer(context: context) }
        context.writeAndFlush(wrapOutboundOut(exchange.request.bytes), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard promise != nil else {
            // Nothing asked for this (say, a 408 before the server closes): the connection is not reusable.
            context.close(promise: nil)
            return
        }
        let buffer = unwrapInboundIn(data)
        let extra: Bool
        do {
            extra = try buffer.withUnsafeReadableBytes { (bytes) throws(HTTP1ClientError) -> Bool in
                try parser.feed(bytes) { (event) throws(HTTP1ClientError) in try read(event) } < bytes.count
            }
        } catch {
            return fail(error, context: context)
        }
        // Bytes past the response's end were never asked for: the connection is not reused.
        if parser.isComplete { complete(reusable: !extra, context: context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if promise != nil {
            // A body that runs to the close ends here; any other response was cut short.
            do {
                if try parser.closed({ (event) throws(HTTP1ClientError) in try read(event) }) {
                    complete(reusable: false, context: context)
                } else {
                    finish()?.fail(HTTP1ClientError.closedBeforeResponse(receivedResponse: parser.receivedAny))
                }
            } catch {
                finish()?.fail(error)
            }
        }
        timer?.task.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    /// One event of the response.
    private func read(_ event: HTTP1ResponseParser.Event) throws(HTTP1ClientError) {
        switch event {
        case .head(var received):
            switch received.value("content-encoding")?.lowercased() {
            case "gzip", "x-gzip", "deflate":
                inflater = try HTTP1Inflater()
                // The body handed on is the inflated one: its encoding and length no longer apply.
                received.headers.removeAll { $0.name == "content-encoding" || $0.name == "content-length" }
            default:
                if let declared = received.contentLength { try body.expect(declaredLength: declared) }
            }
            head = received
        case .body(let part):
            if let inflater {
                try inflater.inflate(part) { (inflated) throws(HTTP1ClientError) in try body.append(inflated) }
            } else {
                try body.append(part)
            }
        case .end:
            if let inflater, inflater.started, !inflater.ended { throw .malformedResponse("the compressed body ends early") }
        }
    }

    /// Completes the exchange with the response read.
    private func complete(reusable: Bool, context: ChannelHandlerContext) {
        guard let head else { return fail(HTTP1ClientError.malformedResponse("no response head"), context: context) }
        let keepAlive = reusable && head.keepAlive && requestKeepAlive
        let response = HTTP1Response(status: head.status, headers: head.headers, body: body.bytes, keepAlive: keepAlive)
        let finished = finish()
        body = BodyCollector(BodyRule(maxBytes: 0))
        self.head = nil
        inflater = nil
        if !keepAlive { context.close(promise: nil) }
        finished?.succeed(response)
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
        head = nil
        inflater = nil
        context.close(promise: nil)
    }

    /// Ends the exchange in progress: its promise is handed back to be completed
    /// (the timer stays for the next exchange; with none, it fires idle).
    private func finish() -> EventLoopPromise<HTTP1Response>? {
        defer { promise = nil }
        return promise
    }
}
