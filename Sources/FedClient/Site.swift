import FedData
import FedLearning
import FedObserve
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

/// A site process: connects to the coordinator over mutual TLS, receives the model,
/// fine-tunes it on private data and returns only the update, until the coordinator says
/// the run is finished. It checks its identity and its data before it connects, and its
/// data against the model as soon as it has one; a refusal or a data error ends it with one
/// plain sentence (told to the coordinator too, where the connection allows). Only a lost
/// network is retried, within `maximumReconnects` attempts and `maximumWait` seconds.
package struct Site: Sendable {
    package let configuration: SiteConfiguration
    let logger: Logger

    package init(configuration: SiteConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Takes part in rounds until the run finishes; returns the number of rounds the
    /// coordinator reported.
    package func run() async throws -> Int {
        let configuration = self.configuration
        let identity = try Identity(directory: configuration.identity)
        try identity.check(role: .site, folder: configuration.identity)
        let context = try identity.makeClientContext()
        let trainer = SiteTrainer(
            data: configuration.data,
            labelColumn: configuration.labelColumn,
            textColumn: configuration.textColumn,
            evaluationFraction: configuration.evaluationFraction,
            seed: configuration.seed
        )
        let examples: Int
        do {
            examples = try trainer.precheck()
        } catch let error as DataError {
            throw SiteError.dataMismatch(detail: "\(error)")
        }
        var backoff = configuration.initialBackoff
        var lastError = "none"
        // Failed attempts since the last connection on which this site did work (sent an
        // update or an evaluation), so a long run survives any number of coordinator restarts
        // while a coordinator that welcomes and then fails cannot keep the site looping.
        // survives any number of coordinator restarts.
        var attempt = 0
        let clock = ContinuousClock()
        var since = clock.now
        while true {
            var progressed = false
            do {
                if let rounds = try await self.session(
                    context: context,
                    trainer: trainer,
                    examples: examples,
                    progressed: &progressed
                ) {
                    return rounds
                }
                lastError = "the coordinator closed the connection"
            } catch let error as SiteError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                let failure = ConnectionFailure.site(
                    error,
                    host: configuration.coordinatorHost,
                    port: configuration.coordinatorPort
                )
                guard failure.isTransient else { throw SiteError.connection(sentence: failure.sentence) }
                lastError = failure.sentence
                self.logger.warning("connection lost", metadata: ["reason": "\(failure.sentence)"])
            }
            if progressed {
                attempt = 0
                backoff = configuration.initialBackoff
                since = clock.now
            }
            attempt += 1
            let waited = since.duration(to: clock.now) + backoff
            guard attempt <= configuration.maximumReconnects, waited <= .seconds(configuration.maximumWait) else {
                throw SiteError.gaveUp(
                    attempts: attempt,
                    seconds: Int(since.duration(to: clock.now).components.seconds),
                    lastError: lastError
                )
            }
            self.logger.info("reconnecting", metadata: ["attempt": "\(attempt)", "backoff.seconds": .number(Double(backoff.components.seconds) + Double(backoff.components.attoseconds) * 1e-18)])
            try await Task.sleep(for: backoff)
            backoff = Swift.min(backoff * 2, configuration.maximumBackoff)
        }
    }

    /// One connection; nil when it ended before the run finished (reconnect). A `SiteError`
    /// is told to the coordinator as a `failure` before the connection closes.
    private func session(
        context: NIOSSLContext,
        trainer: SiteTrainer,
        examples: Int,
        progressed: inout Bool
    ) async throws -> Int? {
        let configuration = self.configuration
        let (channel, handshake) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: configuration.coordinatorHost, port: configuration.coordinatorPort) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try KeepAlive.apply(to: channel)
                    try channel.pipeline.syncOperations.addHandler(
                        Identity.makeClientHandler(context: context, coordinatorHost: configuration.coordinatorHost)
                    )
                    let handshake = HandshakeSignal(eventLoop: channel.eventLoop)
                    try channel.pipeline.syncOperations.addHandler(handshake)
                    return (try FrameCodec.wrap(channel, limits: configuration.limits), handshake)
                }
            }
        // A coordinator that never finishes TLS, goes silent after it or drips its welcome is
        // left after `welcomeSeconds` (and counts as a lost connection, within the retries).
        let raw = channel.channel
        let watchdog = raw.eventLoop.scheduleTask(in: .milliseconds(Int64(configuration.welcomeSeconds * 1000))) {
            raw.close(promise: nil)
        }
        defer { watchdog.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            // The handshake's own verdict first: a hello written while it runs would otherwise
            // fail as a closed channel when this site refuses the coordinator's certificate,
            // and be taken for a lost connection.
            try await handshake.completed.get()
            var reader = MessageReader(inbound)
            let sender = SerialSender(MessageSender(outbound, limits: configuration.limits))
            // A coordinator that refuses this site (allow-list, revocation) says so and closes
            // at once, so hello may fail to go out: read what it said before calling the
            // connection lost.
            var helloFailure: (any Error)?
            do {
                try await sender.send(.hello(.init(modelDigests: self.cachedDigests(), examples: examples)))
            } catch {
                helloFailure = error
            }
            // "Still here" while this site trains or waits, so the coordinator's idle timeout
            // only closes a site that is really gone.
            let pinging = Task { await sender.keepAlive(every: configuration.limits.pingSeconds) }
            defer { pinging.cancel() }
            do {
                let rounds = try await self.converse(
                    &reader,
                    sender,
                    trainer: trainer,
                    progressed: &progressed,
                    welcomed: { watchdog.cancel() }
                )
                if rounds == nil, let helloFailure { throw helloFailure }
                return rounds
            } catch let error as SiteError {
                if case .refused = error {
                } else {
                    try? await sender.send(.failure(.init(message: "\(error)")))
                }
                throw error
            }
        }
    }

    /// Answers the coordinator's messages until `finished` (the round count) or hang-up (nil).
    private func converse(
        _ reader: inout MessageReader,
        _ sender: SerialSender,
        trainer: SiteTrainer,
        progressed: inout Bool,
        welcomed: () -> Void
    ) async throws -> Int? {
        var modelReceived = false
        var name = ""
        var secure: SecureState?
        /// Compresses updates when the coordinator asks; its error feedback lasts the connection.
        var encoder: UpdateEncoder?
        while let message = try await reader.receive() {
            switch message {
            case .welcome(let welcome):
                do {
                    try Message.checkVersion(welcome.protocolVersion)
                } catch {
                    throw SiteError.connection(sentence: "\(error)")
                }
                welcomed()
                name = welcome.site
                self.logger.info(
                    "joined the federation",
                    metadata: ["client.id": "\(welcome.site)", "round.completed": "\(welcome.completedRounds)"]
                )
            case .model(let model):
                // One base model per connection, no bigger than --max-model-bytes: a coordinator
                // cannot make a site allocate without bound, or receive forever.
                guard !modelReceived else {
                    throw SiteError.protocolViolation(detail: "a second base model was sent on one connection")
                }
                modelReceived = true
                let blob = try await self.receiveBlob(
                    &reader,
                    model.blob,
                    limit: configuration.maximumModelBytes,
                    what: "the base model"
                )
                try self.checkDigest(blob, digest: model.digest)
                let received: AnyClassifier
                do {
                    received = try trainer.baseModel(
                        digest: model.digest,
                        blob: Data(blob.readableBytesView),
                        source: "the base model \(model.digest)"
                    )
                } catch {
                    throw SiteError.protocolViolation(detail: "\(error)")
                }
                // Kept only once it is known to be a model.
                try self.store(blob, digest: model.digest)
                try self.dataCheck { try trainer.check(received) }
                self.logger.info("base model received; the data fits it", metadata: ["model.digest": "\(model.digest)"])
            case .train(let train):
                let blob = try await self.receiveBlob(
                    &reader,
                    train.blob,
                    limit: try self.heldBytes(train.baseDigest),
                    what: "round \(train.round)'s tensors"
                )
                if train.secureAggregation != nil {
                    secure = try await self.startSecure(train, blob: blob, name: name, sender: sender)
                    continue
                }
                let result = try await Self.offPool {
                    try self.dataCheck(round: train.round) { try self.train(train, blob: blob, trainer: trainer) }
                }
                let delta = ByteBuffer(bytes: try self.encodeUpdate(result.delta, train: train, encoder: &encoder))
                try await sender.send(
                    .update(
                        .init(
                            round: train.round,
                            examples: result.examples,
                            metrics: result.metrics.filter { $0.value.isFinite },
                            blob: .init(content: .delta, bytes: delta.readableBytes)
                        )
                    ),
                    blob: delta
                )
                progressed = true
                self.logger.info(
                    "update sent",
                    metadata: [
                        "round.number": "\(train.round)", "update.examples": "\(result.examples)",
                        "train.loss": .number(result.metrics["loss"] ?? .nan),
                        "train.seconds": .number(result.metrics["seconds"] ?? .nan),
                    ]
                )
            case .evaluate(let evaluate):
                let blob = try await self.receiveBlob(
                    &reader,
                    evaluate.blob,
                    limit: try self.heldBytes(evaluate.baseDigest),
                    what: "round \(evaluate.round)'s tensors to evaluate"
                )
                // A failed evaluation is reported as one without examples; it must not end the site.
                let result =
                    (try? await Self.offPool { try self.evaluate(evaluate, blob: blob, trainer: trainer) })
                    ?? SiteTrainer.Evaluation(examples: 0, metrics: [:])
                try await sender.send(
                    .evaluation(
                        .init(
                            round: evaluate.round,
                            examples: result.examples,
                            metrics: result.metrics.filter { $0.value.isFinite }
                        )
                    )
                )
                progressed = true
            case .secure(let step):
                // A step of a round this site is no longer in (retried, or given up) is old news.
                guard let state = secure, state.train.round == step.round else { continue }
                secure = try await self.continueSecure(step, state: state, trainer: trainer, sender: sender)
                progressed = true
            case .finished(let finished):
                self.logger.info("federation finished", metadata: ["round.count": "\(finished.rounds)"])
                return finished.rounds
            case .ping:
                continue
            case .failure(let failure):
                guard let round = failure.round else {
                    // The coordinator ended the run for everyone (its disk, say): told as such.
                    if failure.message.hasPrefix("the coordinator stopped") {
                        throw SiteError.connection(sentence: UntrustedText.clean(failure.message))
                    }
                    throw SiteError.refused(message: UntrustedText.clean(failure.message))
                }
                // About one round's update: the coordinator carries on, and so does the site.
                self.logger.warning(
                    "the coordinator refused this site's update",
                    metadata: ["round.number": "\(round)", "reason": "\(failure.message)"]
                )
            default:
                throw SiteError.protocolViolation(detail: "unexpected '\(message.type)' message")
            }
        }
        return nil
    }

    /// Runs CPU-bound work (a round's training) on a thread of its own, so the task pool stays
    /// free to send the keepalive even on a one-core machine.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    /// Runs `body`, turning a data error (or, with `round`, any training error) into the
    /// site's reason to stop.
    func dataCheck<T>(round: Int? = nil, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DataError {
            throw SiteError.dataMismatch(detail: "\(error)")
        } catch let error as SiteError {
            throw error
        } catch {
            guard let round else { throw error }
            throw SiteError.cannotTrain(round: round, reason: "\(error)")
        }
    }
}
