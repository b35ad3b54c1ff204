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
import X509

/// The coordinator daemon: the imperative shell around `FederationCore`. It accepts sites
/// over mutual TLS, turns what they send into the core's events, and carries out the core's
/// actions: each site has its own send queue drained by its own task, so a slow or stalled
/// site never delays the others; deadlines sleep on an injected clock; checkpoints are
/// written before the next round starts. A failing site only ends its own connection.
package actor Coordinator {
    package let configuration: CoordinatorConfiguration
    let logger: Logger
    var core: FederationCore
    /// Describes the model in every checkpoint blob (the architecture; a text model's
    /// vocabulary unless its base holds it).
    let checkpointMetadata: [String: String]
    /// The tensors a checkpoint keeps: all, or only the trained ones of a text model on a named base.
    let checkpointNames: Set<String>
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
    /// Connections accepted and not yet admitted as a site.
    var pending = 0
    var admittedConnections: Set<ObjectIdentifier> = []
    var outcome: Result<Int, CoordinatorError>?
    /// The trainable tensors of the last round sent, encoded once for every site.
    var roundBlob: (round: Int, blob: ByteBuffer)?
    /// Twice the trainable tensors' size, so an honest delta always fits and a hostile
    /// announcement is refused before anything is allocated.
    let maximumUpdateBytes: Int
    /// The names and shapes an update must have, read by each connection's task as it decodes.
    let updateSpec: TensorSpec
    /// What `train` tells sites about compressing their update; nil sends dense F32.
    let compression: JSONValue?
    /// Who may join: the allow-list and the revocation list, reloaded on SIGHUP.
    var admission: Admission
    /// Sleeps until the core's `wake` instants; cancelled when the run ends.
    var wakes: [Task<Void, Never>] = []
    /// Started on a finished state folder: it only tells sites that come back so.
    var lingering = false
    /// Metrics and the status page (`metrics` in coordinator.yaml): Coordinator+Metrics.
    var observation = Observation()

    /// One authenticated site: its queue of messages to send, and the models it holds.
    struct SiteLink {
        var outbox: AsyncStream<Outgoing>.Continuation
        var channel: any Channel
        /// The verified certificate it joined with (checked again when the lists reload).
        var certificate: Certificate?
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
        self.checkpointMetadata = try model.checkpointMetadata()
        self.checkpointNames = Set(model.stored(model.parameters.values()).keys)
        let base = ModelPackage.encode(metadata: try model.packageMetadata(), tensors: model.parameters.values())
        self.baseBlob = ByteBuffer(bytes: base)
        self.baseDigest = sha256Hex(base)
        self.state = StateFolder(configuration.state, keepCheckpoints: configuration.keepCheckpoints)
        self.admission = try Admission(configuration)
        self.stateLock = try self.state.lock()
        for note in try self.state.prepare() {
            logger.notice("state folder cleaned up", metadata: ["detail": "\(note)"])
        }
        try self.state.checkHistory()
        var global = model.parameters.values()
        var completed = 0
        if let (round, blob) = try self.state.latest() {
            let source = self.state.checkpointURL(round: round).path
            let resumed = try Safetensors.decode(blob, path: source).tensors
            // Every tensor a checkpoint keeps (a whole model's, as older ones did, also fits).
            guard self.checkpointNames.isSubset(of: resumed.keys),
                resumed.allSatisfy({ global[$0.key]?.shape == $0.value.shape })
            else {
                throw CoordinatorError.invalidConfiguration(
                    "\(source) holds another model than \(configuration.model.path) ---> HINT: use a fresh state folder for a new model"
                )
            }
            if let name = resumed.first(where: { !$0.value.scalars.allSatisfy(\.isFinite) })?.key {
                throw CoordinatorError.corruptCheckpoint(
                    path: source,
                    round: round,
                    detail: "tensor '\(name)' holds a NaN or an infinite value"
                )
            }
            for (name, tensor) in resumed { global[name] = tensor }
            completed = round
            logger.info("resuming after the last finished round", metadata: ["round.number": "\(round)"])
        }
        self.global = global
        let trainable = Set(model.parameters.entries.filter(\.travels).map(\.name))
        var settings = FederationCore.Settings(
            policy: configuration.policy,
            clipNorm: configuration.clipNorm,
            serverLearningRate: configuration.serverLearningRate
        )
        settings.trainingSeed = configuration.training.seed
        settings.maxExamplesPerSite = configuration.maxExamplesPerSite
        settings.secureAggregation = configuration.secureAggregation
        settings.optimizer = configuration.strategy.optimizer
        settings.robust = configuration.strategy.robust
        settings.earlyStopping = configuration.earlyStopping
        settings.loraExactScale = model.loraExactScale
        if let conflict = settings.loraExactConflict {
            throw CoordinatorError.invalidConfiguration("\(configuration.model.path): \(conflict)")
        }
        settings.baseModelBytes = base.count
        let start = global.filter { trainable.contains($0.key) }
        settings.trainableBytes = ModelPackage.encodeTrainable(start).count
        // A crash between a round's checkpoint and its evaluation: that round is scored again.
        let evaluations = try self.state.evaluations()
        let evaluated = completed == 0 || evaluations.contains { $0.round == completed }
        var history: [RoundPrivacy] = []
        if let plan = configuration.privacy {
            settings.privacy = plan
            settings.privacyKey = try self.state.privacyKey()
            history = try self.state.privacyHistory(through: completed, plan: plan)
        }
        // The server optimizer's momentum and moments as the last checkpoint left them.
        var optimizer: ServerOptimizer?
        if completed > 0 {
            let saved = try self.state.serverState(round: completed)
            do throws(ServerOptimizerError) {
                optimizer = try ServerOptimizer(
                    settings: settings.optimizerSettings, spec: TensorSpec(updatesOf: start), restoring: saved)
            } catch {
                throw CoordinatorError.invalidConfiguration(
                    "\(self.state.serverStateURL(round: completed).path): \(error) ---> HINT: keep strategy.optimizer "
                        + "as the state folder was started with, or start a new state folder")
            }
        }
        self.core = FederationCore(
            settings: settings,
            global: start,
            completedRounds: completed,
            evaluated: evaluated,
            privacyHistory: history,
            optimizer: optimizer,
            evaluations: evaluations,
            updateStores: { [folder = configuration.state] round, length in
                // A robust rule's round of updates: a memory-mapped file beside the checkpoints.
                try MappedUpdateStore(folder: folder, name: String(format: "round-%05d", round), length: length)
            }
        )
        if let limit = self.core.budgetLimit { logger.notice("\(limit.description)") }
        self.updateSpec = self.core.spec
        self.compression =
            configuration.strategy.compression == .none ? nil : try? JSONValue(encoding: configuration.strategy.compression)
        // A ByteBuffer holds at most UInt32.max bytes; larger models need more than one blob.
        self.maximumUpdateBytes = Swift.min(2 * self.core.spec.scalarCount * 4 + 1 << 20, Int(UInt32.max))
    }

    /// Listens until every round is done (returning the number of finished rounds) or the
    /// run stops; `onListening` receives the bound port (useful with port 0), and
    /// `onMetricsListening` the metrics listener's, which starts first.
    package func run(
        onListening: @Sendable (Int) -> Void = { _ in },
        onMetricsListening: @Sendable (Int) -> Void = { _ in }
    ) async throws -> Int {
        defer { self.stateLock.release() }
        if let port = try await self.startObserving() { onMetricsListening(port) }
        do {
            return try await self.serve(onListening: onListening)
        } catch {
            await self.stopObserving()
            throw error
        }
    }

    private func serve(onListening: @Sendable (Int) -> Void) async throws -> Int {
        let identity = try Identity(directory: self.configuration.identity)
        try identity.check(role: .coordinator(hosts: self.configuration.hosts), folder: self.configuration.identity)
        if self.core.isOver {
            // Nothing left to run; the final model folder is made if a crash left it out, and
            // sites that reconnect (a crash may have kept `finished` from them) are told so
            // for one deadline's time.
            if !FileManager.default.fileExists(atPath: self.state.finalModelURL.path) {
                self.writeFinalModel(round: self.core.resultRound)
            }
            self.lingering = true
            self.logger.notice(
                "every round is already done; telling sites that reconnect, then stopping (raise `rounds` to go on)",
                metadata: [
                    "round.completed": "\(self.core.completedRounds)",
                    "linger.seconds": "\(self.configuration.policy.deadlineSeconds)",
                ]
            )
            let rounds = self.core.completedRounds
            self.wakes.append(
                Task {
                    guard
                        (try? await self.clock.sleep(self.clock.seconds() + self.configuration.policy.deadlineSeconds))
                            != nil
                    else { return }
                    self.end(.success(rounds), drain: true)
                }
            )
        }
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
        self.logWaiting()
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
        await self.stopObserving()
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
                    try KeepAlive.apply(to: channel)
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.addHandler(HandshakeSignal(eventLoop: channel.eventLoop))
                    return try FrameCodec.wrap(channel, limits: limits)
                }
            }
    }

    /// Feeds one event to the core and carries out what it decides.
    func deliver(_ event: FederationCore.Event) {
        self.observe(event)
        self.perform(self.core.handle(event, now: self.clock.seconds()))
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
