import FedLearning
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
/// fine-tunes it on private data and returns only the update; reconnects with backoff
/// when the connection is lost, until the coordinator says the run is finished.
package struct Site: Sendable {
    package let configuration: SiteConfiguration
    private let logger: Logger

    package init(configuration: SiteConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Takes part in rounds until the run finishes; returns the number of rounds the
    /// coordinator reported.
    package func run() async throws -> Int {
        let context = try Identity(directory: self.configuration.identity).makeClientContext()
        var backoff = self.configuration.initialBackoff
        var lastError = "none"
        // Counts failed attempts since the last connection that was welcomed, so a long run
        // survives any number of coordinator restarts.
        var attempt = 0
        while attempt <= self.configuration.maximumReconnects {
            defer { attempt += 1 }
            if attempt > 0 {
                self.logger.info("reconnecting", metadata: ["attempt": "\(attempt)", "backoff": "\(backoff)"])
                try await Task.sleep(for: backoff)
                backoff = Swift.min(backoff * 2, self.configuration.maximumBackoff)
            }
            var welcomed = false
            do {
                if let rounds = try await self.session(context: context, welcomed: &welcomed) { return rounds }
                lastError = "the coordinator closed the connection"
            } catch let error as SiteError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                lastError = "\(error)"
                self.logger.warning("connection lost", metadata: ["error": "\(error)"])
            }
            if welcomed {
                attempt = 0
                backoff = self.configuration.initialBackoff
            }
        }
        throw SiteError.gaveUp(attempts: self.configuration.maximumReconnects + 1, lastError: lastError)
    }

    /// One connection; nil when it ended before the run finished (reconnect).
    private func session(context: NIOSSLContext, welcomed: inout Bool) async throws -> Int? {
        let configuration = self.configuration
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: configuration.coordinatorHost, port: configuration.coordinatorPort) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        Identity.makeClientHandler(context: context, coordinatorHost: configuration.coordinatorHost)
                    )
                    return try FrameCodec.wrap(channel, limits: configuration.limits)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var reader = MessageReader(inbound)
            let sender = MessageSender(outbound, limits: configuration.limits)
            try await sender.send(.hello(.init(modelDigests: self.cachedDigests())))
            let trainer = SiteTrainer(
                data: configuration.data,
                labelColumn: configuration.labelColumn,
                textColumn: configuration.textColumn,
                evaluationFraction: configuration.evaluationFraction,
                seed: configuration.seed
            )
            while let message = try await reader.receive() {
                switch message {
                case .welcome(let welcome):
                    try Message.checkVersion(welcome.protocolVersion)
                    welcomed = true
                    self.logger.info(
                        "joined the federation",
                        metadata: ["client.id": "\(welcome.site)", "round.completed": "\(welcome.completedRounds)"]
                    )
                case .model(let model):
                    let blob = try await reader.receiveBlob(model.blob, limit: .max)
                    try self.store(blob, digest: model.digest)
                case .train(let train):
                    let blob = try await reader.receiveBlob(train.blob, limit: .max)
                    let result = try self.train(train, blob: blob, trainer: trainer)
                    let delta = ByteBuffer(bytes: ModelPackage.encodeTrainable(result.delta))
                    try await sender.send(
                        .update(
                            .init(
                                round: train.round,
                                examples: result.examples,
                                metrics: result.metrics,
                                blob: .init(content: .delta, bytes: delta.readableBytes)
                            )
                        ),
                        blob: delta
                    )
                    self.logger.info(
                        "update sent",
                        metadata: [
                            "round.number": "\(train.round)", "update.examples": "\(result.examples)",
                            "train.loss": "\(result.metrics["loss"] ?? .nan)",
                        ]
                    )
                case .evaluate(let evaluate):
                    let blob = try await reader.receiveBlob(evaluate.blob, limit: .max)
                    // A failed evaluation is reported as one without examples; it must not end the site.
                    let result =
                        (try? self.evaluate(
                            round: evaluate.round,
                            baseDigest: evaluate.baseDigest,
                            blob: blob,
                            trainer: trainer
                        ))
                        ?? SiteTrainer.Evaluation(examples: 0, metrics: [:])
                    try await sender.send(
                        .evaluation(.init(round: evaluate.round, examples: result.examples, metrics: result.metrics))
                    )
                case .finished(let finished):
                    self.logger.info("federation finished", metadata: ["round.count": "\(finished.rounds)"])
                    return finished.rounds
                case .failure(let failure):
                    throw SiteError.refused(message: failure.message)
                default:
                    throw SiteError.protocolViolation(detail: "unexpected '\(message.type)' message")
                }
            }
            return nil
        }
    }

    private func train(_ train: Message.Train, blob: ByteBuffer, trainer: SiteTrainer) throws -> RoundTraining.Result {
        let url = self.cacheURL(train.baseDigest)
        guard let base = FileManager.default.contents(atPath: url.path) else {
            throw SiteError.unknownBaseModel(digest: train.baseDigest)
        }
        let model = try trainer.baseModel(digest: train.baseDigest, blob: base, source: url.path)
        let trainable = try Safetensors.decode(Data(blob.readableBytesView), path: "round \(train.round) tensors")
            .tensors
        // The same strict check as coordinator.yaml: a key this site does not know is refused,
        // never trained past with a default.
        let configuration: TrainingConfiguration
        do {
            configuration = try JSONDecoder().decode(
                TrainingConfiguration.self,
                from: JSONEncoder().encode(train.configuration)
            )
        } catch let error as DecodingError {
            throw SiteError.protocolViolation(
                detail: "the training settings of round \(train.round) are not valid: \(error.fieldDescription)"
            )
        }
        return try trainer.train(base: model, trainable: trainable, configuration: configuration)
    }

    private func evaluate(
        round: Int,
        baseDigest: String,
        blob: ByteBuffer,
        trainer: SiteTrainer
    ) throws
        -> SiteTrainer.Evaluation
    {
        guard let base = FileManager.default.contents(atPath: self.cacheURL(baseDigest).path) else {
            throw SiteError.unknownBaseModel(digest: baseDigest)
        }
        let model = try trainer.baseModel(digest: baseDigest, blob: base, source: self.cacheURL(baseDigest).path)
        let trainable = try Safetensors.decode(Data(blob.readableBytesView), path: "round \(round) tensors").tensors
        return try trainer.evaluate(model, trainable: trainable)
    }

    private func cacheURL(_ digest: String) -> URL {
        self.configuration.cache.appendingPathComponent("\(digest).safetensors")
    }

    private func cachedDigests() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: self.configuration.cache.path)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") }.map { String($0.dropLast(12)) }.sorted()
    }

    /// Keeps a base model by its digest, after checking that the bytes have that digest.
    private func store(_ blob: ByteBuffer, digest: String) throws {
        let found = sha256Hex(blob.readableBytesView)
        guard found == digest else {
            throw SiteError.protocolViolation(detail: "base model digest is \(found), announced \(digest)")
        }
        try AtomicFile.write(Data(blob.readableBytesView), to: self.cacheURL(digest))
    }
}
