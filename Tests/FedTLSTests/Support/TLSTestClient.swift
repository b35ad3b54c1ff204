import FedTLS
import NIOCore
import NIOPosix
import NIOSSL

/// What the test client saw after sending its bytes.
enum ClientSaw: Sendable, Equatable {
    /// The server answered with these bytes.
    case received([UInt8])
    /// The connection failed or closed first.
    case failure(String)
}

/// A TLS client on 127.0.0.1 that sends a few bytes as soon as it connects and records the first answer.
struct TLSTestClient: TestChannelOwner {
    let channel: any Channel
    /// Completes with the first answer or failure.
    let saw: EventLoopFuture<ClientSaw>

    /// Connects to `port` with `context` as a site dialling `coordinatorHost`, and sends `payload` (NIOSSL holds
    /// it until the client's side of the handshake is done).
    static func connect(
        port: Int,
        context: NIOSSLContext,
        coordinatorHost: String = "localhost",
        payload: [UInt8]
    ) async throws -> TLSTestClient {
        let group = MultiThreadedEventLoopGroup.singleton
        let saw = group.next().makePromise(of: ClientSaw.self)
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        Identity.makeClientHandler(context: context, coordinatorHost: coordinatorHost),
                        AnswerHandler(payload: payload, saw: saw)
                    )
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return TLSTestClient(channel: channel, saw: saw.futureResult)
    }

    /// The first answer or failure, waiting at most ten seconds.
    func outcome() async throws -> ClientSaw {
        try await boundedWait(self.saw, what: "the client's first read")
    }
}

/// Writes the payload once active and records the first read, error or close.
private final class AnswerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let payload: [UInt8]
    private let saw: EventLoopPromise<ClientSaw>

    init(payload: [UInt8], saw: EventLoopPromise<ClientSaw>) {
        self.payload = payload
        self.saw = saw
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(bytes: self.payload)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.saw.succeed(.received(Array(Self.unwrapInboundIn(data).readableBytesView)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.saw.succeed(.failure("\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.saw.succeed(.failure("closed"))
        context.fireChannelInactive()
    }
}
