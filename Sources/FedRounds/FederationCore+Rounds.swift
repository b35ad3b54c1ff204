import FedSupport
import FedTensor
import OrderedCollections

/// A round's two ends in the core: opening it (a fresh running sum, the open round's tally,
/// secure aggregation's and a robust rule's state, the train requests) and closing it (the
/// round's result applied to the global model through privacy, a robust rule or the server
/// optimizer, and the record the checkpoint is written with).
extension FederationCore {
    mutating func startRound(_ round: Int, sites: [String], deadline: Double, now: Double) -> [Action] {
        if let ledger = self.ledger {
            self.accumulator = FedAvgAccumulator(spec: self.spec, clipNorm: Float(ledger.clipNorm), uniformWeights: true)
        } else {
            self.accumulator = FedAvgAccumulator(spec: self.spec, clipNorm: self.settings.clipNorm)
        }
        self.tally = RoundTally(started: now)
        self.tally.bytes.baseModel = self.pendingBaseBytes
        self.pendingBaseBytes = 0
        self.secure = nil
        self.loraExact = self.settings.loraExactScale.map { LoRAExactAggregation(global: self.global, scale: $0) }
        if let problem = self.openRobustRound(round) {
            self.isOver = true
            return [.stop(reason: problem)]
        }
        var actions: [Action] = []
        if self.settings.secureAggregation != nil, !sites.isEmpty {
            actions += self.openSecureRound(round, sites: sites, now: now)
        }
        for site in sites where self.holdsBase.insert(site).inserted {
            actions.append(.sendBaseModel(site: site))
            self.tally.bytes.baseModel += self.settings.baseModelBytes
        }
        // The round a crash left unevaluated is scored before this one trains.
        actions += self.reevaluate()
        for site in sites {
            let seed = Self.trainingSeed(self.settings.trainingSeed, round: round, site: site)
            actions.append(.train(round: round, site: site, seed: seed, tensors: self.global))
            self.tally.bytes.trainable += self.settings.trainableBytes
        }
        return actions + [.wake(at: deadline)]
    }

    mutating func closeRound(
        _ round: Int,
        reported: [String],
        failures: [String: String],
        now: Double
    )
        -> Action
    {
        var privacy: RoundPrivacy?
        var aggregation: RoundAggregation?
        if var ledger = self.ledger {
            let released = ledger.release(
                self.accumulator,
                round: round,
                unclipped: self.accumulator.unclipped,
                counted: self.accumulator.contributions
            )
            self.ledger = ledger
            privacy = released.record
            self.optimizer.apply(released.average, to: &self.global)
        } else if self.settings.robust != nil {
            aggregation = self.closeRobustRound()
        } else if let average = self.accumulator.average() {
            self.optimizer.apply(average, to: &self.global)
            self.loraExact?.fold(into: &self.global)
        }
        var record = self.tally.record(round: round, reported: reported, failures: failures, now: now)
        record.privacy = privacy
        record.aggregation = aggregation
        record.earlyStopping = self.earlyStopping?.record
        record.refused = self.pendingRefusals.isEmpty ? nil : self.pendingRefusals
        record.stopped = self.pendingStopped.isEmpty ? nil : self.pendingStopped
        self.pendingRefusals = []
        self.pendingStopped = [:]
        return .writeCheckpoint(round: round, tensors: self.global, record: record)
    }
}
