import Crypto
import NIOCore

/// The reading side of a conversation: control messages and their blobs from a framed
/// connection, so the coordinator's and the site's code speak in messages, not frames.
package struct MessageReader {
    private var inbound: NIOAsyncChannelInboundStream<Frame>.AsyncIterator

    package init(_ inbound: NIOAsyncChannelInboundStream<Frame>) {
        self.inbound = inbound.makeAsyncIterator()
    }

    /// The next control message; nil when the peer closed the connection cleanly.
    package mutating func receive() async throws -> Message? {
        guard let frame = try await self.inbound.next() else { return nil }
        return try Message(frame: frame)
    }

    /// The blob announced by `header`, reassembled and checked against its trailer;
    /// `limit` bounds its size before anything is allocated.
    package mutating func receiveBlob(_ header: Message.BlobHeader, limit: Int) async throws -> ByteBuffer {
        var receiver = try BlobReceiver(header: header, limit: limit)
        while let frame = try await self.inbound.next() {
            if let blob = try receiver.receive(frame) { return blob }
        }
        throw WireError.closedDuringBlob(announced: header.bytes)
    }

}

/// The writing side of a conversation; Sendable, so the coordinator can keep one per site
/// and write from wherever a round's action is carried out.
package struct MessageSender: Sendable {
    private let outbound: NIOAsyncChannelOutboundWriter<Frame>
    package let limits: WireLimits

    package init(_ outbound: NIOAsyncChannelOutboundWriter<Frame>, limits: WireLimits = WireLimits()) {
        self.outbound = outbound
        self.limits = limits
    }

    /// Sends a control message alone.
    package func send(_ message: Message) async throws {
        try await self.outbound.write(message.frame())
    }

    /// Sends a control message followed by its blob (chunks and trailer).
    package func send(_ message: Message, blob: ByteBuffer) async throws {
        try await self.outbound.write(message.frame())
        try await self.outbound.write(contentsOf: BlobSender(blob: blob, limits: self.limits))
    }
}

/// The channel handlers that turn a byte stream into frames and back.
package enum FrameCodec {
    /// Adds the frame decoder and encoder to a pipeline (after TLS) and wraps the channel
    /// as an async channel of frames. Call on the channel's event loop.
    package static func wrap(_ channel: any Channel, limits: WireLimits) throws -> NIOAsyncChannel<Frame, Frame> {
        try channel.pipeline.syncOperations.addHandlers(
            ByteToMessageHandler(
                FrameDecoder(maximumFrameBytes: limits.maximumFrameBytes, frameSeconds: limits.frameSeconds)
            ),
            IdleStateHandler(readTimeout: .milliseconds(Int64(limits.idleSeconds * 1000))),
            IdleCloser(),
            MessageToByteHandler(FrameEncoder())
        )
        return try NIOAsyncChannel(
            wrappingChannelSynchronously: channel,
            configuration: .init(inboundType: Frame.self, outboundType: Frame.self)
        )
    }
}

/// Closes a connection from which nothing at all arrived for the idle time (a peer whose
/// process hangs, or a network that drops packets silently).
final class IdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = Frame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
