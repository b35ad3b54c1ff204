import FedLearning
import FedRounds
import FedSupport
import FedTLS
import FedTensor
import FedWire
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import OrderedCollections

/// The coordinator daemon: the imperative shell around `FederationCore`. It accepts sites
/// over mutual TLS, turns what they send into the core's events, and carries out the core's
/// actions: each site has its own send queue drained by its own task, so a slow or stalled
/// site never delays the others; deadlines sleep on an injected clock; checkpoints are
/// written before the next round starts. A failing site only ends its own connection.
package actor Coordinator {
    package let configuration: CoordinatorConfiguration
    let logger: Logger
    var core: FederationCore
    /// Describes the model in every checkpoint blob (architecture, and a text model's vocabulary).
    let packageMetadata: [String: String]
    /// Every tensor of the global model; the core holds the trainable ones.
    var global: OrderedDictionary<String, Tensor>
    let baseBlob: ByteBuffer
    let baseDigest: String
    let state: StateFolder
    /// Held from start to the end of `run`: one coordinator per state folder.
    let stateLock: FileLock
    let clock: ShellClock
    var sites: [String: SiteLink] = [:]
    var server: (any Channel)?
    /// Every accepted connection, authenticated or not, so finishing closes them all and
    /// the accept loop's task group can end.
    var connections: [ObjectIdentifier: any Channel] = [:]
    var outcome: Result<Int, CoordinatorError>?
    /// The trainable tensors of the last round sent, encoded once for every site.
    var roundBlob: (round: Int, blob: ByteBuffer)?
    /// Twice the trainable tensors' size, so an honest delta always fits and a hostile
    /// announcement is refused before anything is allocated.
    let maximumUpdateBytes: Int
    /// Sleeps until the core's `wake` instants; cancelled when the run ends.
    var wakes: [Task<Void, Never>] = []

    /// One authenticated site: its queue of messages to send, and the models it holds.
    struct SiteLink {
        var outbox: AsyncStream<Outgoing>.Continuation
        var channel: any Channel
    }

    struct Outgoing: Sendable {
        var message: Message
        var blob: ByteBuffer?
    }

    /// Loads the pretrained model and, when the state folder holds checkpoints, resumes
    /// after the last finished round. Deadlines are measured on `clock` (a test clock in tests).
    package init(
        configuration: CoordinatorConfiguration,
        logger: Logger,
        clock: some Clock<Duration> = ContinuousClock()
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.clock = ShellClock(clock)
        let model = try AnyClassifier.load(configuration.model)
        self.packageMetadata = try model.packageMetadata()
        let base = ModelPackage.encode(metadata: self.packageMetadata, tensors: model.parameters.values())
        self.baseBlob = ByteBuffer(bytes: base)
        self.baseDigest = sha256Hex(base)
        self.state = StateFolder(configuration.state, keepCheckpoints: configuration.keepCheckpoints)
        self.stateLock = try self.state.lock()
        try self.state.checkHistory()
        var global = model.parameters.values()
        var completed = 0
        if let (round, blob) = try self.state.latest() {
            let source = self.state.checkpointURL(round: round).path
            let resumed = try ModelPackage.decodeAny(blob, source: source)
            guard
                resumed.parameters.entries.map({ [$0.name: $0.value.shape] })
                    == model.parameters.entries.map({ [$0.name: $0.value.shape] })
            else {
                throw CoordinatorError.invalidConfiguration(
                    "\(source) holds another model than \(configuration.model.path) ---> HINT: use a fresh state folder for a new model"
                )
            }
            global = resumed.parameters.values()
            completed = round
            logger.info("resuming after the last finished round", metadata: ["round.number": "\(round)"])
        }
        self.global = global
        let trainable = Set(model.parameters.entries.filter(\.trainable).map(\.name))
        var settings = FederationCore.Settings(
            policy: configuration.policy,
            clipNorm: configuration.clipNorm,
            serverLearningRate: configuration.serverLearningRate
        )
        settings.trainingSeed = configuration.training.seed
        settings.baseModelBytes = base.count
        let start = global.filter { trainable.contains($0.key) }
        settings.trainableBytes = ModelPackage.encodeTrainable(start).count
        self.core = FederationCore(settings: settings, global: start, completedRounds: completed)
        // A ByteBuffer holds at most UInt32.max bytes; larger models need more than one blob.
        self.maximumUpdateBytes = Swift.min(2 * self.core.spec.scalarCount * 4 + 1 << 20, Int(UInt32.max))
    }

    /// Listens until every round is done (returning the number of finished rounds) or the
    /// run stops; `onListening` receives the bound port (useful with port 0).
    package func run(onListening: @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        defer { self.stateLock.release() }
        if self.core.completedRounds >= self.configuration.policy.rounds { return self.core.completedRounds }
        let identity = try Identity(directory: self.configuration.identity)
        try identity.check(role: .coordinator(hosts: self.configuration.hosts), folder: self.configuration.identity)
        let context = try identity.makeServerContext()
        let limits = self.configuration.limits
        let (host, port) = (self.configuration.host, self.configuration.port)
        let listener: NIOAsyncChannel<NIOAsyncChannel<Frame, Frame>, Never>
        do {
            listener = try await self.listen(context: context, limits: limits)
        } catch {
            throw CoordinatorError.cannotListen(
                host: host,
                port: port,
                reason: ConnectionFailure.listening(error, host: host, port: port)
            )
        }
        self.server = listener.channel
        let bound = listener.channel.localAddress?.port ?? port
        self.logger.info(
            "coordinator listening",
            metadata: ["server.port": "\(bound)", "model.digest": "\(self.baseDigest)"]
        )
        self.logger.info(
            "waiting for sites",
            metadata: ["sites.needed": "\(self.configuration.policy.minSites)", "sites.connected": ""]
        )
        onListening(bound)
        // A discarding group: finished connection tasks are dropped at once, so a long run
        // with many reconnects holds nothing per past connection.
        try await withThrowingDiscardingTaskGroup { group in
            try await listener.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { await self.converse(connection) }
                }
            }
        }
        switch self.outcome {
        case .success(let rounds): return rounds
        case .failure(let error): throw error
        case nil: return self.core.completedRounds
        }
    }

    private func listen(
        context: NIOSSLContext,
        limits: WireLimits
    ) async throws -> NIOAsyncChannel<NIOAsyncChannel<Frame, Frame>, Never> {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Control messages are small: without TCP_NODELAY, Nagle's algorithm holds each
            // one back until the peer's delayed ACK, tens of milliseconds per exchange.
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: self.configuration.host, port: self.configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    return try FrameCodec.wrap(channel, limits: limits)
                }
            }
    }

    /// Feeds one event to the core and carries out what it decides.
    func deliver(_ event: FederationCore.Event) {
        self.perform(self.core.handle(event, now: self.clock.seconds()))
    }

    // MARK: One site's conversation

    private func converse(_ connection: NIOAsyncChannel<Frame, Frame>) async {
        let id = ObjectIdentifier(connection.channel)
        guard self.outcome == nil else {
            connection.channel.close(promise: nil)
            return
        }
        self.connections[id] = connection.channel
        defer { self.connections[id] = nil }
        if let site = await self.talk(over: connection) { self.leave(site, channel: connection.channel) }
    }

    /// One connection from hello to hang-up, outside the actor (messages are decoded in the
    /// connection's own task); returns the site's name if it joined. Whatever is refused is
    /// answered with a `failure` naming the reason before the connection closes.
    private nonisolated func talk(over connection: NIOAsyncChannel<Frame, Frame>) async -> String? {
        var site = "unauthenticated"
        var joined = false
        do {
            try await connection.executeThenClose { inbound, outbound in
                var reader = MessageReader(inbound)
                let sender = MessageSender(outbound, limits: self.configuration.limits)
                let hello: Message.Hello
                do {
                    guard case .hello(let first)? = try await reader.receive() else {
                        throw CoordinatorError.protocolViolation(site: site, detail: "the first message must be hello")
                    }
                    hello = first
                    // The TLS handshake is complete once a frame has arrived; the site's name is
                    // read from its verified certificate, never from what it sent.
                    site = try await PeerIdentity.siteName(of: connection.channel)
                    try SiteAllowList(self.configuration.allowList).check(site)
                    try Message.checkVersion(hello.protocolVersion)
                } catch {
                    try? await sender.send(.failure(.init(message: "\(error)")))
                    throw error
                }
                try await sender.send(.welcome(.init(site: site, completedRounds: await self.completedRounds)))
                let (outbox, continuation) = AsyncStream.makeStream(of: Outgoing.self)
                let name = site
                let logger = self.logger
                let channel = connection.channel
                // This site's sends, in order, in a task of their own; a failed write closes
                // the connection, which ends the reading loop.
                let sending = Task {
                    do {
                        for await item in outbox {
                            if let blob = item.blob {
                                try await sender.send(item.message, blob: blob)
                            } else {
                                try await sender.send(item.message)
                            }
                        }
                    } catch {
                        logger.warning(
                            "could not send to a site",
                            metadata: ["client.id": "\(name)", "error": "\(error)"]
                        )
                    }
                    channel.close(promise: nil)
                }
                defer {
                    continuation.finish()
                    sending.cancel()
                }
                joined = true
                await self.join(
                    name,
                    link: SiteLink(outbox: continuation, channel: channel),
                    holdsBase: hello.modelDigests.contains(self.baseDigest)
                )
                do {
                    if let reason = try await self.read(&reader, from: name) {
                        await self.leave(name, channel: channel, reason: reason)
                    }
                } catch {
                    // Through the queue, so the failure never splits a blob being sent.
                    continuation.yield(Outgoing(message: .failure(.init(message: "\(error)"))))
                    continuation.finish()
                    await sending.value
                    throw error
                }
                // Let the queue (a `finished` message, say) go out before the connection closes.
                continuation.finish()
                await sending.value
            }
        } catch {
            if joined {
                self.logger.warning(
                    "site connection ended with an error",
                    metadata: ["client.id": "\(site)", "error": "\(error)"]
                )
            } else {
                let peer = connection.channel.remoteAddress.map { "a connection from \($0.ipAddress ?? "?")" }
                self.logger.warning(
                    "connection refused",
                    metadata: [
                        "client.id": "\(site)",
                        "reason":
                            "\(error is NIOSSLError || error is BoringSSLError ? ConnectionFailure.coordinator(error, peer: peer ?? "a connection") : "\(error)")",
                    ]
                )
            }
        }
        return joined ? site : nil
    }

    private var completedRounds: Int { self.core.completedRounds }

    /// Sites of the open round that have not reported yet.
    package var awaiting: [String] { self.core.awaiting }

    /// Reads a site's messages until it hangs up (nil) or says why it stops (its reason).
    private nonisolated func read(_ reader: inout MessageReader, from site: String) async throws -> String? {
        while let message = try await reader.receive() {
            switch message {
            case .update(let update):
                let blob = try await reader.receiveBlob(update.blob, limit: self.maximumUpdateBytes)
                // Decoded here, in the site's own task, straight from the reassembled buffer;
                // the core validates it once as it folds it.
                let event: FederationCore.Event
                do {
                    guard update.blob.content == .delta else {
                        throw CoordinatorError.protocolViolation(
                            site: site,
                            detail: "an update's blob must hold a delta, not \(update.blob.content.rawValue)"
                        )
                    }
                    let tensors = try blob.withUnsafeReadableBytes { raw in
                        try Safetensors.decode(
                            Data(
                                bytesNoCopy: UnsafeMutableRawPointer(mutating: raw.baseAddress!),
                                count: raw.count,
                                deallocator: .none
                            ),
                            path: "update from \(site)"
                        ).tensors
                    }
                    event = .updateReceived(
                        site: site,
                        round: update.round,
                        .init(
                            examples: update.examples,
                            metrics: update.metrics,
                            tensors: tensors,
                            bytes: blob.readableBytes
                        )
                    )
                } catch {
                    event = .updateUnreadable(site: site, round: update.round, reason: "\(error)")
                }
                await self.deliver(event)
            case .evaluation(let evaluation):
                await self.deliver(
                    .evaluationReceived(
                        site: site,
                        round: evaluation.round,
                        examples: evaluation.examples,
                        metrics: evaluation.metrics
                    )
                )
            case .failure(let failure):
                self.logger.warning(
                    "site reported a failure",
                    metadata: ["client.id": "\(site)", "error": "\(failure.message)"]
                )
                return failure.message
            default:
                throw CoordinatorError.protocolViolation(site: site, detail: "unexpected '\(message.type)' message")
            }
        }
        return nil
    }

    /// A second connection with the same certificate replaces the first: the newest wins
    /// (the old one is usually a connection whose loss the site noticed first). The old one
    /// is told why and closed; its part in the open round counts as lost.
    private func join(_ site: String, link: SiteLink, holdsBase: Bool) {
        if let old = self.sites.removeValue(forKey: site) {
            old.outbox.yield(
                Outgoing(
                    message: .failure(
                        .init(message: "another connection with this site's certificate replaced this one")
                    )
                )
            )
            old.outbox.finish()
            let channel = old.channel
            Task {
                try? await Task.sleep(for: .seconds(5))
                channel.close(promise: nil)
            }
            self.logger.warning(
                "site connected again; the older connection is closed",
                metadata: ["client.id": "\(site)"]
            )
            self.deliver(.siteLeft(site))
        }
        self.sites[site] = link
        self.logger.info(
            "site joined",
            metadata: ["client.id": "\(site)", "sites.connected": "\(self.sites.keys.sorted().joined(separator: ","))"]
        )
        self.deliver(.siteJoined(site, holdsBase: holdsBase))
    }

    /// A site's connection ended; `reason` is what it said when it stopped, if anything.
    private func leave(_ site: String, channel: any Channel, reason: String? = nil) {
        guard let link = self.sites[site], link.channel === channel else { return }
        link.outbox.finish()
        self.sites[site] = nil
        self.logger.info(
            "site left",
            metadata: ["client.id": "\(site)", "reason": "\(reason ?? "disconnected")"]
        )
        self.deliver(reason.map { .siteFailed(site, reason: $0) } ?? .siteLeft(site))
    }
}

/// The coordinator's view of a clock: seconds since it started, and sleeping until a
/// number of them. Any `Clock<Duration>` fits: the continuous clock when run for real,
/// a test clock that a test advances by hand.
struct ShellClock: Sendable {
    let seconds: @Sendable () -> Double
    let sleep: @Sendable (Double) async throws -> Void

    init<C: Clock<Duration>>(_ clock: C) {
        let start = clock.now
        self.seconds = {
            let elapsed = start.duration(to: clock.now).components
            return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        }
        self.sleep = { seconds in
            try await clock.sleep(
                until: start.advanced(by: .nanoseconds(Int64((seconds * 1e9).rounded(.up)))),
                tolerance: nil
            )
        }
    }
}
