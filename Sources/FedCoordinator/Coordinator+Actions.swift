import FedLearning
import FedRounds
import FedTensor
import FedWire
import Foundation
import Logging
import NIOCore
import OrderedCollections

extension Coordinator {
    /// Carries out the state machine's actions, in order.
    func perform(_ actions: [RoundStateMachine.Action]) async {
        for action in actions {
            switch action {
            case .startRound(let round, let sites, _):
                await self.startRound(round, sites: sites)
            case .foldUpdate:
                break  // folded where the update arrived, with its tensors at hand
            case .rejectUpdate(let site, let reason):
                self.logger.warning("update rejected", metadata: ["client.id": "\(site)", "reason": "\(reason)"])
            case .closeRound(let round, let reported, let failures):
                if self.closeRound(round, reported: reported, failures: failures) {
                    await self.startEvaluation(round)
                }
            case .retryRound(let round, let reason):
                self.logger.warning("round failed; retrying", metadata: ["round.number": "\(round)", "reason": "\(reason)"])
            case .finish(let rounds):
                // The last round's federated evaluation is awaited (until the round deadline)
                // before sites are told the run is over.
                self.finishAfterEvaluation = (rounds, self.now + self.configuration.policy.deadlineSeconds)
            case .stop(let reason):
                self.logger.error("federation stopped", metadata: ["reason": "\(reason)"])
                await self.finish(.failure(.stopped(reason: reason)))
            }
        }
    }
}

extension Coordinator {
    /// Sends each selected site the base model if it lacks it, then the round's
    /// configuration and the global model's trainable tensors.
    func startRound(_ round: Int, sites selected: [String]) async {
        guard case .training(round, _, _) = self.machine.phase else { return }
        self.accumulator = FedAvgAccumulator(spec: self.spec, clipNorm: self.configuration.clipNorm)
        self.round = RoundTally()
        self.logger.info("round started", metadata: ["round.number": "\(round)", "round.sites": "\(selected.joined(separator: ","))"])
        let trainable = ByteBuffer(bytes: ModelPackage.encodeTrainable(self.global.filter { self.spec.names.contains($0.key) }))
        for site in selected {
            // Sends await; if the machine moved on meanwhile (a retry, a later round), this
            // start is stale and must not touch the new round's state.
            guard case .training(round, _, _) = self.machine.phase else { return }
            guard let link = self.sites[site] else { continue }
            do {
                if !link.digests.contains(self.baseDigest) {
                    try await link.sender.send(
                        .model(.init(digest: self.baseDigest, blob: .init(content: .baseModel, bytes: self.baseBlob.readableBytes))),
                        blob: self.baseBlob)
                    self.round.bytes.baseModel += self.baseBlob.readableBytes
                    if self.sites[site]?.channel === link.channel { self.sites[site]?.digests.insert(self.baseDigest) }
                }
                let message = Message.train(.init(
                    round: round, baseDigest: self.baseDigest, configuration: self.configuration.training,
                    blob: .init(content: .trainable, bytes: trainable.readableBytes)))
                try await link.sender.send(message, blob: trainable)
                self.round.bytes.trainable += trainable.readableBytes
            } catch {
                self.logger.warning("could not send the round to a site", metadata: ["client.id": "\(site)", "error": "\(error)"])
                link.channel.close(promise: nil)
            }
        }
    }

    /// Applies the average to the global model and checkpoints the round; nothing already
    /// saved is overwritten if writing fails (the run stops instead). Returns whether the
    /// round was saved.
    func closeRound(_ number: Int, reported: [String], failures: [String: String]) -> Bool {
        guard let average = self.accumulator.average() else { return false }
        FedAvgAccumulator.apply(average, to: &self.global, serverLearningRate: self.configuration.serverLearningRate)
        let seconds = Double((ContinuousClock.now - self.round.started).components.attoseconds) * 1e-18
            + Double((ContinuousClock.now - self.round.started).components.seconds)
        do {
            let blob = ModelPackage.encode(metadata: self.packageMetadata, tensors: self.global)
            let examples = self.round.examples
            let record = RoundRecord(
                round: number, sites: reported, examples: examples,
                trainMetrics: self.round.metricSums.mapValues { $0 / Double(Swift.max(examples, 1)) },
                failures: failures, clipScales: self.round.clipScales, digest: sha256Hex(blob), seconds: seconds,
                bytes: self.round.bytes)
            try self.state.save(round: number, modelBlob: blob, record: record)
            self.logger.info("round closed", metadata: [
                "round.number": "\(number)", "round.sites": "\(reported.count)", "round.examples": "\(examples)",
                "round.train_loss": "\(record.trainMetrics["loss"] ?? .nan)", "round.failures": "\(failures.count)",
            ])
            return true
        } catch {
            self.logger.critical("could not write the checkpoint", metadata: ["round.number": "\(number)", "error": "\(error)"])
            self.outcome = .failure(.stopped(reason: "checkpoint for round \(number) could not be written: \(error)"))
            self.server?.close(promise: nil)
            return false
        }
    }

    /// Asks every connected site to score the new global model on its held-out split.
    func startEvaluation(_ round: Int) async {
        self.recordEvaluation()
        let trainable = ByteBuffer(bytes: ModelPackage.encodeTrainable(self.global.filter { self.spec.names.contains($0.key) }))
        // Only sites that hold the base model can rebuild the global model.
        let asked = self.sites.filter { $0.value.digests.contains(self.baseDigest) }
        self.evaluation = EvaluationTally(round: round, asked: Set(asked.keys))
        for (site, link) in asked {
            do {
                try await link.sender.send(
                    .evaluate(.init(round: round, baseDigest: self.baseDigest,
                                    blob: .init(content: .trainable, bytes: trainable.readableBytes))),
                    blob: trainable)
            } catch {
                self.evaluation?.asked.remove(site)
            }
        }
    }

    /// Takes a site's evaluation; the round's evaluation is written once every asked site replied.
    func receive(_ evaluation: Message.Evaluation, from site: String) {
        guard self.evaluation?.round == evaluation.round else { return }
        self.evaluation?.add(site: site, examples: evaluation.examples, metrics: evaluation.metrics)
        if self.evaluation?.isComplete == true { self.recordEvaluation() }
    }

    /// Writes the pending evaluation (if any site replied) to evaluations.jsonl.
    func recordEvaluation() {
        guard let tally = self.evaluation else { return }
        self.evaluation = nil
        guard tally.examples > 0 else { return }
        let record = tally.record
        do {
            try self.state.save(evaluation: record)
            self.logger.info("round evaluated", metadata: [
                "round.number": "\(record.round)", "eval.sites": "\(record.sites.count)", "eval.examples": "\(record.examples)",
                "eval.accuracy": "\(record.metrics["accuracy"] ?? .nan)", "eval.macro_f1": "\(record.metrics["macro_f1"] ?? .nan)",
            ])
        } catch {
            self.logger.error("could not write the evaluation", metadata: ["round.number": "\(record.round)", "error": "\(error)"])
        }
    }

    /// Tells every site the run is over and stops listening.
    func finish(_ result: Result<Int, CoordinatorError>) async {
        guard self.outcome == nil else { return }
        self.outcome = result
        if case .success(let rounds) = result {
            for link in self.sites.values { try? await link.sender.send(.finished(.init(rounds: rounds))) }
        }
        for channel in self.connections.values { channel.close(promise: nil) }
        self.server?.close(promise: nil)
    }
}

extension Coordinator {
    /// Stops listening and closes every site's connection without declaring the run
    /// finished (SIGINT/SIGTERM): the state folder already holds every finished round,
    /// sites keep reconnecting, and a coordinator restarted on the folder carries on.
    package func shutdown() {
        guard self.outcome == nil else { return }
        self.logger.notice("shutting down", metadata: ["round.completed": "\(self.machine.completedRounds)"])
        self.outcome = .success(self.machine.completedRounds)
        for channel in self.connections.values { channel.close(promise: nil) }
        self.server?.close(promise: nil)
    }
}
