import NIOCore

/// One pooled HTTP/1.1 connection: a channel whose last handler is an
/// ``HTTP1ExchangeHandler``. Used by one request at a time (its pool sees to that).
final class HTTP1Connection: Sendable {
    let channel: any Channel

    init(channel: any Channel) {
        self.channel = channel
    }

    var isActive: Bool { channel.isActive }

    /// Sends one request and waits for its whole response, or for its failure
    /// (deadline, body limit, connection closed). Cancelling the task closes the connection.
    ///
    /// One hop to the event loop: the promise, its callback and the write are
    /// all made there (from another thread, each would be a hop of its own).
    func exchange(_ request: HTTP1Request, deadline: NIODeadline, bodyRule: BodyRule) async throws -> HTTP1Response {
        let channel = self.channel
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<HTTP1Response, any Error>) in
                let loop = channel.eventLoop
                loop.execute {
                    let promise = loop.makePromise(of: HTTP1Response.self)
                    promise.futureResult.whenComplete { continuation.resume(with: $0) }
                    let exchange = HTTP1Exchange(request: request, deadline: deadline, bodyRule: bodyRule, promise: promise)
                    // A write the handler never saw (the channel closed first) leaves the promise to us.
                    channel.writeAndFlush(exchange).whenFailure { _ in
                        promise.fail(HTTP1ClientError.closedBeforeResponse(receivedResponse: false))
                    }
                }
            }
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}
