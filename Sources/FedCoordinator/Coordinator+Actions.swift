import FedLearning
import FedObserve
import FedRounds
import FedSupport
import FedTensor
import FedWire
import Foundation
import Logging
import NIOCore
import OrderedCollections

extension Coordinator {
    /// Carries out the core's actions, in order. Nothing here waits on a site: messages
    /// go into each site's send queue, and only checkpoint writes are done in place.
    func perform(_ actions: [FederationCore.Action]) {
        self.observe(actions)
        for action in actions {
            switch action {
            case .sendBaseModel(let site):
                self.enqueue(
                    .model(
                        .init(
                            digest: self.baseDigest,
                            blob: .init(content: .baseModel, bytes: self.baseBlob.readableBytes)
                        )
                    ),
                    blob: self.baseBlob,
                    to: site
                )
            case .train(let round, let site, let seed, let tensors):
                if round != self.roundBlob?.round {
                    self.roundBlob = (round, ByteBuffer(bytes: ModelPackage.encodeTrainable(tensors)))
                    self.logger.info("round started", metadata: ["round.number": "\(round)"])
                }
                let blob = self.roundBlob!.blob
                var training = self.configuration.training
                training.seed = seed
                self.enqueue(
                    .train(
                        .init(
                            round: round,
                            baseDigest: self.baseDigest,
                            configuration: training.wireValue,
                            blob: .init(content: .trainable, bytes: blob.readableBytes),
                            secureAggregation: self.core.secureSetup(round: round).flatMap { try? JSONValue(encoding: $0) },
                            compression: self.compression,
                            clipNorm: self.compression == nil ? nil : self.core.clipNorm
                        )
                    ),
                    blob: blob,
                    to: site
                )
            case .secure(let site, let round, let step):
                let message: Message.Secure?
                switch step {
                case .neighbours(let keys): message = try? .init(round: round, stage: .neighbours, encoding: keys)
                case .routed(let shares): message = try? .init(round: round, stage: .routed, encoding: shares)
                case .unmask(let request): message = try? .init(round: round, stage: .unmask, encoding: request)
                }
                // Encoding plain values to JSON does not fail.
                if let message { self.enqueue(.secure(message), to: site) }
            case .evaluate(let round, let sites, let tensors):
                let blob = ByteBuffer(bytes: ModelPackage.encodeTrainable(tensors))
                for site in sites {
                    self.enqueue(
                        .evaluate(
                            .init(
                                round: round,
                                baseDigest: self.baseDigest,
                                blob: .init(content: .trainable, bytes: blob.readableBytes)
                            )
                        ),
                        blob: blob,
                        to: site
                    )
                }
            case .writeCheckpoint(let round, let tensors, let record):
                let started = ContinuousClock.now
                let outcome = self.writeCheckpoint(round, tensors: tensors, record: record)
                let took = started.duration(to: .now).components
                self.observeCheckpoint(
                    record, seconds: Double(took.seconds) + Double(took.attoseconds) * 1e-18, outcome: outcome)
                self.deliver(outcome)
            case .writeEvaluation(let record):
                self.write(record)
            case .rejectUpdate(let site, let round, let reason):
                self.logger.warning(
                    "update rejected",
                    metadata: ["client.id": "\(site)", "round.number": "\(round)", "reason": "\(reason)"]
                )
                self.enqueue(.failure(.init(message: "update refused: \(reason)", round: round)), to: site)
            case .retryRound(let round, let reason):
                self.logger.warning(
                    "round failed; retrying",
                    metadata: ["round.number": "\(round)", "reason": "\(reason)"]
                )
            case .wake(let instant):
                self.wakes.append(
                    Task {
                        guard (try? await self.clock.sleep(instant)) != nil else { return }
                        self.deliver(.deadlineReached)
                    }
                )
            case .finished(let rounds, let sites) where self.lingering:
                // A finished run answering a site that came back: tell it, and listen on.
                for site in sites { self.enqueue(.finished(.init(rounds: rounds)), to: site) }
            case .finished(let rounds, let sites):
                if let limit = self.core.budgetLimit, rounds == limit.rounds {
                    self.logger.notice("the run ends at its privacy budget: \(limit.description)")
                }
                if let stopped = self.core.stoppedEarlyAfter {
                    let patience = self.configuration.earlyStopping?.patience ?? 0
                    self.logger.notice(
                        "early stopping ended the run: the federated validation loss did not improve for \(patience) rounds",
                        metadata: [
                            "round.judged": "\(stopped)", "round.best": "\(self.core.resultRound)",
                            "round.completed": "\(rounds)",
                        ]
                    )
                }
                // The result is the best round's model under early stopping, else the last one's.
                self.writeFinalModel(round: self.core.resultRound)
                for site in sites { self.enqueue(.finished(.init(rounds: rounds)), to: site) }
                self.end(.success(rounds), drain: true)
            case .stop(let reason):
                self.stop(reason)
            case .shutDown(let rounds):
                self.logger.notice("shutting down", metadata: ["round.completed": "\(rounds)"])
                self.end(.success(rounds), drain: false)
            }
        }
    }

    private func enqueue(_ message: Message, blob: ByteBuffer? = nil, to site: String) {
        self.sites[site]?.outbox.yield(Outgoing(message: message, blob: blob))
    }

    /// Saves a round: the global model (of a text model on a named base, only the trained
    /// tensors), then its record; nothing already saved is
    /// overwritten if writing fails (the run stops instead).
    private func writeCheckpoint(
        _ round: Int,
        tensors: OrderedDictionary<String, Tensor>,
        record: RoundRecord
    )
        -> FederationCore.Event
    {
        for (name, tensor) in tensors { self.global[name] = tensor }
        do {
            let blob = ModelPackage.encode(
                metadata: self.checkpointMetadata,
                tensors: self.global.filter { self.checkpointNames.contains($0.key) }
            )
            var record = record
            record.digest = sha256Hex(blob)
            try self.state.save(round: round, modelBlob: blob, record: record, serverState: self.core.serverState)
            var metadata: Logger.Metadata = [
                "round.number": "\(round)", "round.sites": "\(record.sites.count)",
                "round.examples": "\(record.examples)",
                "round.train_loss": .number(record.trainMetrics["loss"] ?? .nan),
                "round.failures": "\(record.failures.count)",
                "round.seconds": .number(record.seconds),
            ]
            if let bytes = record.bytes {
                metadata["round.bytes_out"] = "\(bytes.baseModel + bytes.trainable)"
                metadata["round.bytes_in"] = "\(bytes.updates)"
            }
            if !record.failures.isEmpty {
                metadata["round.failed"] = .string(
                    record.failures.keys.sorted().map { "\($0) (\(record.failures[$0]!))" }.joined(separator: ", "))
            }
            if let privacy = record.privacy {
                metadata["privacy.epsilon"] = .number(privacy.epsilon)
                metadata["privacy.delta"] = .number(privacy.delta)
                metadata["privacy.clip_norm"] = .number(privacy.clipNorm)
            }
            self.logger.info("round closed", metadata: metadata)
            return .checkpointWritten(round: round)
        } catch {
            return .checkpointFailed(round: round, reason: "\(error)")
        }
    }

    /// The last round's model as a folder in the state folder, for evaluate, predict, export.
    func writeFinalModel(round: Int) {
        do {
            // With threshold_target, a two-class model decides by the sites' weighted threshold.
            let threshold =
                self.configuration.training.threshold == nil
                ? nil : EvaluationRecord.federatedThreshold(try self.state.evaluations(), round: round)
            try self.state.exportModel(
                round: round, to: self.state.finalModelURL, replacing: true, decisionThreshold: threshold)
            self.logger.notice(
                "final model written",
                metadata: ["round.number": "\(round)", "model.path": "\(self.state.finalModelURL.path)"]
            )
        } catch {
            self.logger.error(
                "could not write the final model; `fedtune checkpoint export` can make it from the state folder",
                metadata: ["error": "\(error)"]
            )
        }
    }

    private func write(_ record: EvaluationRecord) {
        do {
            try self.state.save(evaluation: record)
            self.logger.info(
                "round evaluated",
                metadata: [
                    "round.number": "\(record.round)", "eval.sites": "\(record.sites.count)",
                    "eval.examples": "\(record.examples)",
                    "eval.accuracy": .number(record.metrics["accuracy"] ?? .nan),
                    "eval.macro_f1": .number(record.metrics["macro_f1"] ?? .nan),
                ]
            )
        } catch {
            // A disk that cannot take a line cannot take the next checkpoint either.
            self.stop("the evaluation of round \(record.round) could not be written: \(error)")
        }
    }

    /// Ends a run that cannot go on: every connected site is told why (a `failure`), then
    /// the connections close; the state folder keeps every round finished so far.
    func stop(_ reason: String) {
        guard self.outcome == nil else { return }
        self.logger.critical("federation stopped", metadata: ["reason": "\(reason)"])
        for site in self.sites.keys {
            self.enqueue(.failure(.init(message: "the coordinator stopped: \(reason)")), to: site)
        }
        self.end(.failure(.stopped(reason: reason)), drain: true)
    }

    /// Ends the run: with `drain`, each site's queue (ending in `finished`) is sent before its
    /// connection closes; otherwise every connection closes at once.
    func end(_ result: Result<Int, CoordinatorError>, drain: Bool) {
        guard self.outcome == nil else { return }
        self.outcome = result
        for wake in self.wakes { wake.cancel() }
        self.server?.close(promise: nil)
        for link in self.sites.values { link.outbox.finish() }
        guard drain else {
            for channel in self.connections.values { channel.close(promise: nil) }
            return
        }
        // Connections not yet authenticated have no queue; a site that stalls its reads gets
        // a few seconds to take its last messages.
        for (id, channel) in self.connections
        where !self.sites.values.contains(where: { ObjectIdentifier($0.channel) == id }) {
            channel.close(promise: nil)
        }
        Task {
            try? await Task.sleep(for: .seconds(10))
            self.closeEverything()
        }
    }

    private func closeEverything() {
        for channel in self.connections.values { channel.close(promise: nil) }
    }

    /// Stops listening and closes every site's connection without declaring the run
    /// finished (SIGINT/SIGTERM): the state folder already holds every finished round,
    /// sites keep reconnecting, and a coordinator restarted on the folder carries on.
    package func shutdown() {
        self.deliver(.stopRequested)
    }
}

extension TrainingConfiguration {
    /// The settings as the `train` message carries them: a JSON object with the same
    /// snake_case keys as coordinator.yaml.
    var wireValue: JSONValue {
        // Encoding a plain struct of numbers and strings cannot fail.
        let data = try! JSONEncoder().encode(self)
        return try! JSONDecoder().decode(JSONValue.self, from: data)
    }
}
