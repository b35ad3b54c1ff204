import FedTLS
import NIOCore
import NIOPosix
import NIOSSL

/// What the test server saw on its first connection.
enum ServerSaw: Sendable {
    /// The handshake verified a site certificate and `bytes` arrived; the connection is still open.
    case site(String, bytes: [UInt8], channel: any Channel)
    /// The connection failed or closed before anything arrived from an authenticated peer.
    case failure(String)
}

/// A mutual-TLS server on 127.0.0.1 with an ephemeral port, recording what its first connection did.
struct TLSTestServer: TestChannelOwner {
    let channel: any Channel
    /// Completes with what the first connection saw.
    let saw: EventLoopFuture<ServerSaw>

    var port: Int { self.channel.localAddress?.port ?? 0 }

    /// Listens with `context` (a server context from ``Identity/makeServerContext()``), reads `expecting` bytes
    /// from the first connection, names its peer from the verified certificate, and answers "welcome".
    static func start(context: NIOSSLContext, expecting byteCount: Int) async throws -> TLSTestServer {
        let group = MultiThreadedEventLoopGroup.singleton
        let saw = group.next().makePromise(of: ServerSaw.self)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandlers(
                        NIOSSLServerHandler(context: context),
                        RecordingHandler(expecting: byteCount, saw: saw)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TLSTestServer(channel: channel, saw: saw.futureResult)
    }

    /// What the first connection saw, waiting at most ten seconds.
    func outcome() async throws -> ServerSaw {
        try await boundedWait(self.saw, what: "the server's first connection")
    }
}

/// Collects the first `expecting` bytes, then records the peer's site name as the pipeline reports it.
private final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let expecting: Int
    private let saw: EventLoopPromise<ServerSaw>
    private var received: [UInt8] = []

    init(expecting: Int, saw: EventLoopPromise<ServerSaw>) {
        self.expecting = expecting
        self.saw = saw
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.received += Self.unwrapInboundIn(data).readableBytesView
        guard self.received.count >= self.expecting else { return }
        do {
            let site = try PeerIdentity.siteName(in: context.pipeline.syncOperations)
            self.saw.succeed(.site(site, bytes: self.received, channel: context.channel))
            context.writeAndFlush(Self.wrapOutboundOut(ByteBuffer(string: "welcome")), promise: nil)
        } catch {
            self.saw.succeed(.failure("\(error)"))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.saw.succeed(.failure("\(error)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.saw.succeed(.failure("closed after \(self.received.count) bytes"))
        context.fireChannelInactive()
    }
}
