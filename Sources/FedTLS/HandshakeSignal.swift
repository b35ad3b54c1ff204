import NIOCore
import NIOSSL
import NIOTLS

/// Sits after the TLS handler and says when the handshake has completed, so the peer's
/// verified certificate can be checked (allow-list, revocation) before a single frame of
/// what it sends is read or buffered.
package final class HandshakeSignal: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    package typealias InboundIn = NIOAny

    private let promise: EventLoopPromise<Void>

    package init(eventLoop: any EventLoop) {
        self.promise = eventLoop.makePromise()
    }

    /// Succeeds once the handshake completed; fails if the connection closed or failed first.
    package var completed: EventLoopFuture<Void> { self.promise.futureResult }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event { self.promise.succeed() }
        context.fireUserInboundEventTriggered(event)
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.promise.fail(error)
        context.fireErrorCaught(error)
    }

    package func channelInactive(context: ChannelHandlerContext) {
        self.promise.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    /// A connection that never became active (refused, timed out) removes its handlers
    /// without `channelInactive`: the promise must still be completed, or NIO reports it
    /// leaked (fatal in debug builds). Completing an already completed promise does nothing.
    package func handlerRemoved(context: ChannelHandlerContext) {
        self.promise.fail(ChannelError.ioOnClosedChannel)
    }
}
