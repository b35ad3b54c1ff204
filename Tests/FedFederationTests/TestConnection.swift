import FedTLS
import FedWire
import Foundation
import NIOCore
import NIOPosix

/// A raw mutual-TLS connection to a coordinator on 127.0.0.1, for test sites that speak
/// the protocol by hand (RogueSite, ScriptedSite).
enum TestConnection {
    static func open(identity: URL, port: Int) async throws -> NIOAsyncChannel<Frame, Frame> {
        let context = try Identity(directory: identity).makeClientContext()
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        Identity.makeClientHandler(context: context, coordinatorHost: "127.0.0.1")
                    )
                    return try FrameCodec.wrap(channel, limits: WireLimits())
                }
            }
    }
}
