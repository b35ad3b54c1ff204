import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// One path the listener answers, and how to make its body (asked afresh on every request).
package struct ObserveRoute: Sendable {
    package var contentType: String
    package var body: @Sendable () async -> [UInt8]

    package init(contentType: String, body: @escaping @Sendable () async -> [UInt8]) {
        self.contentType = contentType
        self.body = body
    }
}

/// The metrics and status listener: plain HTTP/1.1 from SwiftNIO's NIOHTTP1 on an address of
/// its own. It answers GET on its routes only (404 for another path, 405 for another
/// method), bounds what a request may weigh (431, 413), answers malformed requests with 400
/// (`HTTPServerProtocolErrorHandler`), closes each connection after one response or 10
/// seconds of silence, and holds at most `maximumConnections` at once.
package final class ObserveListener: Sendable {
    package let host: String
    /// The bound port (the real one when 0 was asked for).
    package let port: Int
    private let channel: any Channel

    package static let maximumConnections = 32

    private init(host: String, port: Int, channel: any Channel) {
        self.host = host
        self.port = port
        self.channel = channel
    }

    /// Binds `host:port` and serves `routes` (keyed by path, e.g. "/metrics"); a bind that
    /// fails is an `ObserveError.cannotListen` naming `setting`.
    package static func start(
        host: String,
        port: Int,
        setting: String,
        routes: [String: ObserveRoute]
    ) async throws(ObserveError) -> ObserveListener {
        let open = NIOLockedValueBox(0)
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    let admitted = open.withLockedValue { count in
                        guard count < Self.maximumConnections else { return false }
                        count += 1
                        return true
                    }
                    guard admitted else { return channel.close() }
                    channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                    return channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                        try pipeline.addHandler(IdleStateHandler(allTimeout: .seconds(10)))
                        try pipeline.addHandler(ObserveHTTPHandler(routes: routes))
                    }
                }
                .bind(host: host, port: port).get()
            return ObserveListener(host: host, port: channel.localAddress?.port ?? port, channel: channel)
        } catch {
            throw .cannotListen(host: host, port: port, reason: ObserveError.reason(error), setting: setting)
        }
    }

    /// Stops listening (connections being answered finish on their own).
    package func close() async {
        try? await self.channel.close()
    }
}
