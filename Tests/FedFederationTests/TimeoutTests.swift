import FedClient
import FedCoordinator
import FedRounds
import FedTLS
import FedWire
import Foundation
import NIOCore
import NIOPosix
import Testing

/// Connections that never get anywhere are closed in bounded time while honest sites go on
/// at full rate: idle TCP without TLS, TLS then silence, and more pending connections than
/// the cap; and a site leaves a coordinator that never welcomes it.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct TimeoutTests {
    /// A plain TCP connection to 127.0.0.1:`port` that sends nothing (or `bytes`).
    static func idle(port: Int, sending bytes: [UInt8] = []) async throws -> any Channel {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        if !bytes.isEmpty { try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get() }
        return channel
    }

    /// Whether `condition` became true within `seconds` (polled every 50 ms).
    static func eventually(seconds: Double, _ condition: () async -> Bool) async -> Bool {
        let start = ContinuousClock.now
        while start.duration(to: .now) < .seconds(seconds) {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await condition()
    }

    /// Seconds until `channel` is closed by the other end, at most `limit`.
    static func secondsUntilClosed(_ channel: any Channel, limit: Double = 20) async -> Double {
        let start = ContinuousClock.now
        while channel.isActive, start.duration(to: .now) < .seconds(limit) {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let elapsed = start.duration(to: .now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }

    @Test func stalledConnectionsAreClosedAfterTheHelloTimeoutAndSitesStillJoin() async throws {
        let (folder, prepared, sites) = try FederationTests.prepare(sites: ["site-a", "site-b"])
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = prepared
        configuration.connections.helloSeconds = 1
        let coordinator = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let run = Task { try await coordinator.run { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())

        // Idle TCP, a slowloris that sends half a TLS record header, and a certified site
        // that completes TLS and never says hello.
        let start = ContinuousClock.now
        var stalled: [any Channel] = []
        for _ in 0..<10 { stalled.append(try await Self.idle(port: port)) }
        stalled.append(try await Self.idle(port: port, sending: [0x16, 0x03]))
        let silent = try await TestConnection.open(identity: sites[0].identity, port: port)
        stalled.append(silent.channel)

        // Closed by the coordinator's timer (one second), not at once and not by the run's end;
        // counted at the coordinator (a client that reads nothing may see the close late).
        let closed = await Self.eventually(seconds: 10) { await coordinator.openConnections == 0 }
        let open = await coordinator.openConnections
        #expect(closed, "still open: \(open)")
        #expect(start.duration(to: .now) >= .milliseconds(900), "the timeout, not an immediate refusal, closed them")
        for channel in stalled { try? await channel.close() }
        let opened = ContinuousClock.now
        #expect(await coordinator.connectedSites.isEmpty)
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for site in sites { group.addTask { try await FederationTests.honest(site)(port) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == [3, 3], "honest sites finish every round after the stalled ones are gone")
        #expect(opened.duration(to: .now) < .seconds(30))
        try? await silent.executeThenClose { _, _ in }
        _ = try await run.value
    }

    @Test func connectionsOverThePendingCapAreClosedAtOnce() async throws {
        let (folder, prepared, sites) = try FederationTests.prepare(sites: ["site-a"])
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = prepared
        configuration.connections.helloSeconds = 30
        configuration.connections.maximumPending = 4
        configuration.policy.rounds = 1
        let coordinator = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let run = Task { try await coordinator.run { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        var held: [any Channel] = []
        for _ in 0..<4 { held.append(try await Self.idle(port: port)) }
        try await Task.sleep(for: .milliseconds(300))
        let extra = try await Self.idle(port: port)
        #expect(await Self.secondsUntilClosed(extra) < 5, "the fifth pending connection is closed at once")
        #expect(held.allSatisfy { $0.isActive }, "the four within the cap are still open")
        for channel in held { try? await channel.close() }
        // Once they are gone, a site joins as usual.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await FederationTests.honest(sites[0])(port) == 1)
        _ = try await run.value
    }

    /// After hello: a site that goes silent (no ping) is closed after the idle time, one that
    /// drips half a frame after the frame time, while an honest site, pinging, finishes.
    @Test func silentAndDrippingSitesAreClosedAndAPingingSiteIsNot() async throws {
        let (folder, prepared, sites) = try FederationTests.prepare(sites: ["site-a", "site-b", "mute", "drip"])
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = prepared
        configuration.policy = RoundPolicy(rounds: 1, minSites: 2, deadlineSeconds: 60)
        configuration.limits.idleSeconds = 1.5
        configuration.limits.frameSeconds = 1
        configuration.limits.pingSeconds = 0.3
        let coordinator = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let run = Task { try await coordinator.run { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())

        // site-a joins first and waits, longer than the idle time, for site-b: only its
        // pings keep it connected (it may not reconnect even once).
        var first = sites[0]
        first.coordinatorPort = port
        first.limits.pingSeconds = 0.3
        first.maximumReconnects = 0
        let waiting = Task { try await Site(configuration: first, logger: FederationTests.quiet).run() }
        let mute = try await TestConnection.open(identity: sites[2].identity, port: port)
        let drip = try await TestConnection.open(identity: sites[3].identity, port: port)
        for connection in [mute, drip] {
            try await MessageSender(connection.outbound).send(.hello(.init()))
        }
        // Half of a frame: a header announcing 100 bytes, and 10 of them.
        var half = ByteBuffer()
        half.writeInteger(UInt32(100), endianness: .big)
        half.writeInteger(Frame.Kind.control.rawValue)
        half.writeBytes([UInt8](repeating: 0x20, count: 10))
        // Written below the frame encoder, straight into TLS.
        let context = try await drip.channel.pipeline.context(handlerType: ByteToMessageHandler<FrameDecoder>.self)
            .get()
        try await drip.channel.eventLoop.submit { context.writeAndFlush(NIOAny(half)) }.get().get()
        // site-a stays; the silent and the dripping connections are closed (counted at the coordinator).
        let closed = await Self.eventually(seconds: 10) { await coordinator.openConnections == 1 }
        let open = await coordinator.openConnections
        #expect(closed, "open: \(open)")

        try await Task.sleep(for: .seconds(2))
        var second = sites[1]
        second.coordinatorPort = port
        #expect(try await Site(configuration: second, logger: FederationTests.quiet).run() == 1)
        #expect(try await waiting.value == 1, "site-a stayed connected for the whole wait")
        for connection in [mute, drip] { try? await connection.executeThenClose { _, _ in } }
        _ = try await run.value
    }

    /// A coordinator that welcomes a site and then sends nothing at all (no ping) is left
    /// after the idle time, as a lost connection.
    @Test func aSiteLeavesACoordinatorThatGoesSilentAfterWelcoming() async throws {
        let start = ContinuousClock.now
        let (message, connections) = try await HostileCoordinatorTests.site(configure: {
            $0.limits.idleSeconds = 1
            $0.maximumReconnects = 1
        }) { reader, sender in
            try await HostileCoordinator.welcome(sender, site: "site-a")
            try await HostileCoordinator.drain(&reader)
        }
        #expect(start.duration(to: .now) < .seconds(15))
        #expect(message.contains("gave up after 2 connection attempts"), "\(message)")
        #expect(connections == 2)
    }

    @Test func aSiteLeavesACoordinatorThatNeverWelcomesIt() async throws {
        let start = ContinuousClock.now
        let (message, connections) = try await HostileCoordinatorTests.site(configure: {
            $0.welcomeSeconds = 0.5
            $0.maximumReconnects = 1
        }) { reader, _ in
            try await HostileCoordinator.drain(&reader)
        }
        #expect(start.duration(to: .now) < .seconds(10))
        #expect(message.contains("gave up after 2 connection attempts"), "\(message)")
        #expect(connections == 2)
    }
}
