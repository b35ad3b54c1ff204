import FedTLS
import FedWire
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A coordinator that speaks the protocol by hand over mutual TLS on 127.0.0.1, to test
/// what a site does when the coordinator is hostile: each connection's `hello` is read,
/// then `script` runs on it. It counts the connections it accepted.
final class HostileCoordinator: Sendable {
    typealias Script = @Sendable (inout MessageReader, MessageSender) async throws -> Void

    let port: Int
    private let server: NIOAsyncChannel<NIOAsyncChannel<Frame, Frame>, Never>
    private let accepted: Counter
    private let task: Task<Void, Never>

    var connections: Int { self.accepted.value }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var value: Int { self.lock.withLock { self.count } }
        func increment() { self.lock.withLock { self.count += 1 } }
    }

    init(identity: URL, script: @escaping Script) async throws {
        let context = try Identity(directory: identity).makeServerContext()
        let server: NIOAsyncChannel<NIOAsyncChannel<Frame, Frame>, Never> = try await ServerBootstrap(
            group: MultiThreadedEventLoopGroup.singleton
        )
        .bind(host: "127.0.0.1", port: 0) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                return try FrameCodec.wrap(channel, limits: WireLimits())
            }
        }
        let accepted = Counter()
        self.port = server.channel.localAddress?.port ?? 0
        self.server = server
        self.accepted = accepted
        self.task = Task {
            try? await server.executeThenClose { inbound in
                for try await connection in inbound {
                    accepted.increment()
                    try? await connection.executeThenClose { input, output in
                        var reader = MessageReader(input)
                        _ = try await reader.receive()
                        try await script(&reader, MessageSender(output))
                    }
                }
            }
        }
    }

    /// Welcomes the site as `site`, with no round done.
    static func welcome(_ sender: MessageSender, site: String) async throws {
        try await sender.send(.welcome(.init(site: site, completedRounds: 0)))
    }

    /// Reads what the site says until it hangs up (its `failure`, say), at most 30 s.
    static func drain(_ reader: inout MessageReader) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, try await reader.receive() != nil {}
    }

    func close() async {
        try? await self.server.channel.close()
        await self.task.value
    }
}
