import FedLearning
import FedRounds
import FedTLS
import FedTensor
import FedWire
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import OrderedCollections

/// The coordinator daemon: accepts sites over mutual TLS, feeds what happens to the
/// round state machine, and carries out its actions (send the model, fold an update,
/// close a round and checkpoint it). One actor holds all shared state; each site's
/// conversation is its own task, and a failing site only ends its own connection.
package actor Coordinator {
    package let configuration: CoordinatorConfiguration
    let logger: Logger
    var machine: RoundStateMachine
    /// Describes the model in every checkpoint blob (architecture, and a text model's vocabulary).
    let packageMetadata: [String: String]
    /// The current global model, every tensor.
    var global: OrderedDictionary<String, Tensor>
    let spec: TensorSpec
    let baseBlob: ByteBuffer
    let baseDigest: String
    let state: StateFolder
    var accumulator: FedAvgAccumulator
    var sites: [String: SiteLink] = [:]
    var round = RoundTally()
    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    var server: (any Channel)?
    /// Every accepted connection, authenticated or not, so finishing closes them all and
    /// the accept loop's task group can end.
    var connections: [ObjectIdentifier: any Channel] = [:]
    var outcome: Result<Int, CoordinatorError>?
    /// Federated evaluation of the last closed round, while its replies come in.
    var evaluation: EvaluationTally?
    /// Set when the last round closed: the run finishes once its evaluation is in.
    var finishAfterEvaluation: (rounds: Int, deadline: Double)?

    struct SiteLink {
        var sender: MessageSender
        var channel: any Channel
        var digests: Set<String>
    }

    /// What the open round has gathered besides the running sum.
    struct RoundTally {
        var started = ContinuousClock.now
        var metricSums: [String: Double] = [:]
        var examples = 0
        var bytes = RoundBytes()
        var clipScales: [String: Double] = [:]
    }

    /// Loads the pretrained model and, when the state folder holds checkpoints, resumes
    /// after the last finished round.
    package init(configuration: CoordinatorConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        let model = try AnyClassifier.load(configuration.model)
        self.packageMetadata = try model.packageMetadata()
        let base = ModelPackage.encode(metadata: self.packageMetadata, tensors: model.parameters.values())
        self.baseBlob = ByteBuffer(bytes: base)
        self.baseDigest = sha256Hex(base)
        self.state = StateFolder(configuration.state, keepCheckpoints: configuration.keepCheckpoints)
        var global = model.parameters.values()
        var completed = 0
        if let (round, blob) = try self.state.latest() {
            let source = self.state.checkpointURL(round: round).path
            let resumed = try ModelPackage.decodeAny(blob, source: source)
            guard resumed.parameters.entries.map({ [$0.name: $0.value.shape] }) == model.parameters.entries.map({ [$0.name: $0.value.shape] })
            else {
                throw CoordinatorError.invalidConfiguration(
                    "\(source) holds another model than \(configuration.model.path) ---> HINT: use a fresh state folder for a new model")
            }
            global = resumed.parameters.values()
            completed = round
            logger.info("resuming after the last finished round", metadata: ["round.number": "\(round)"])
        }
        self.global = global
        self.spec = TensorSpec(model.parameters.entries.filter(\.trainable).map { (name: $0.name, shape: $0.value.shape) })
        self.accumulator = FedAvgAccumulator(spec: self.spec, clipNorm: configuration.clipNorm)
        self.machine = RoundStateMachine(policy: configuration.policy, completedRounds: completed)
        self.started = self.clock.now
    }

    /// Listens until every round is done (returning the number of finished rounds) or the
    /// run stops; `onListening` receives the bound port (useful with port 0).
    package func run(onListening: @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        if case .finished = self.machine.phase { return self.machine.completedRounds }
        let context = try Identity(directory: self.configuration.identity).makeServerContext()
        let limits = self.configuration.limits
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
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
        self.server = listener.channel
        let port = listener.channel.localAddress?.port ?? self.configuration.port
        self.logger.info("coordinator listening", metadata: ["server.port": "\(port)", "model.digest": "\(self.baseDigest)"])
        onListening(port)
        // A discarding group: finished connection tasks are dropped at once, so a long run
        // with many reconnects holds nothing per past connection.
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.tickUntilDone() }
            try await listener.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { await self.converse(connection) }
                }
            }
        }
        switch self.outcome {
        case .success(let rounds): return rounds
        case .failure(let error): throw error
        case nil: return self.machine.completedRounds
        }
    }

    var now: Double {
        let elapsed = self.clock.now - self.started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    private func tickUntilDone() async {
        while self.outcome == nil {
            do {
                try await Task.sleep(for: .milliseconds(50))
            } catch {
                // Cancelled (the caller gave up on the run): stop instead of spinning.
                self.shutdown()
                return
            }
            await self.perform(self.machine.handle(.tick, now: self.now))
            if let pending = self.finishAfterEvaluation, self.evaluation == nil || self.now >= pending.deadline {
                self.recordEvaluation()
                await self.finish(.success(pending.rounds))
            }
        }
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
        var site = "unauthenticated"
        do {
            try await connection.executeThenClose { inbound, outbound in
                var reader = MessageReader(inbound)
                let sender = MessageSender(outbound, limits: self.configuration.limits)
                guard case .hello(let hello)? = try await reader.receive() else {
                    throw CoordinatorError.protocolViolation(site: site, detail: "the first message must be hello")
                }
                // The TLS handshake is complete once a frame has arrived; the site's name is
                // read from its verified certificate, never from what it sent.
                site = try await PeerIdentity.siteName(of: connection.channel)
                try SiteAllowList(self.configuration.allowList).check(site)
                do {
                    try Message.checkVersion(hello.protocolVersion)
                } catch {
                    try? await sender.send(.failure(.init(message: "\(error)")))
                    throw error
                }
                try await sender.send(.welcome(.init(site: site, completedRounds: self.machine.completedRounds)))
                await self.join(site, link: SiteLink(sender: sender, channel: connection.channel, digests: Set(hello.modelDigests)))
                while let message = try await reader.receive() {
                    switch message {
                    case .update(let update):
                        let blob = try await reader.receiveBlob(update.blob, limit: self.maximumUpdateBytes)
                        await self.receive(update, blob: blob, from: site)
                    case .evaluation(let evaluation):
                        self.receive(evaluation, from: site)
                    case .failure(let failure):
                        self.logger.warning("site reported a failure", metadata: ["client.id": "\(site)", "error": "\(failure.message)"])
                        return
                    default:
                        throw CoordinatorError.protocolViolation(site: site, detail: "unexpected '\(message.type)' message")
                    }
                }
            }
        } catch {
            self.logger.warning("site connection ended with an error", metadata: ["client.id": "\(site)", "error": "\(error)"])
        }
        await self.leave(site, channel: connection.channel)
    }

    /// Twice the trainable tensors' size, so an honest delta always fits and a hostile
    /// announcement is refused before anything is allocated.
    private nonisolated var maximumUpdateBytes: Int {
        // A ByteBuffer holds at most UInt32.max bytes; larger models need more than one blob.
        Swift.min(2 * self.spec.scalarCount * 4 + 1 << 20, Int(UInt32.max))
    }

    private func join(_ site: String, link: SiteLink) async {
        if case .success(let rounds) = self.outcome {
            try? await link.sender.send(.finished(.init(rounds: rounds)))
            link.channel.close(promise: nil)
            return
        }
        if let old = self.sites[site] { old.channel.close(promise: nil) }
        self.sites[site] = link
        self.logger.info("site joined", metadata: ["client.id": "\(site)"])
        await self.perform(self.machine.handle(.siteConnected(site), now: self.now))
    }

    private func leave(_ site: String, channel: any Channel) async {
        guard let link = self.sites[site], link.channel === channel else { return }
        self.sites[site] = nil
        self.evaluation?.asked.remove(site)
        if self.evaluation?.isComplete == true { self.recordEvaluation() }
        self.logger.info("site left", metadata: ["client.id": "\(site)"])
        await self.perform(self.machine.handle(.siteDisconnected(site), now: self.now))
    }

    private func receive(_ update: Message.Update, blob: ByteBuffer, from site: String) async {
        let tensors: OrderedDictionary<String, Tensor>
        do {
            tensors = try Safetensors.decode(Data(blob.readableBytesView), path: "update from \(site)").tensors
            if let problem = UpdateValidator.problem(in: tensors, spec: self.spec, examples: update.examples) { throw problem }
        } catch {
            self.logger.warning("update rejected", metadata: ["client.id": "\(site)", "round.number": "\(update.round)", "reason": "\(error)"])
            await self.perform(self.machine.handle(.updateRejected(site: site, round: update.round, reason: "\(error)"), now: self.now))
            return
        }
        let actions = self.machine.handle(.updateArrived(site: site, round: update.round), now: self.now)
        for action in actions {
            guard case .foldUpdate = action else { continue }
            do {
                let folded = try self.accumulator.add(tensors, examples: update.examples)
                self.round.examples += update.examples
                self.round.bytes.updates += blob.readableBytes
                self.round.clipScales[site] = Double(folded.scale)
                for (name, value) in update.metrics {
                    // A site's numbers must not make the round's record unwritable.
                    let weighted = value * Double(update.examples)
                    if weighted.isFinite { self.round.metricSums[name, default: 0] += weighted }
                }
                self.logger.info("update folded", metadata: [
                    "client.id": "\(site)", "round.number": "\(update.round)", "update.norm": "\(folded.norm)",
                    "update.scale": "\(folded.scale)", "update.examples": "\(update.examples)",
                ])
            } catch {
                self.logger.error("validated update failed to fold", metadata: ["client.id": "\(site)", "error": "\(error)"])
            }
        }
        await self.perform(actions.filter { if case .foldUpdate = $0 { false } else { true } })
    }
}
