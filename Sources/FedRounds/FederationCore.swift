import FedSecAgg
import FedSupport
import FedTensor
import OrderedCollections

/// A whole federation as one value: which round is open and who trains in it, the running
/// sum of updates, the open round's numbers, the federated evaluation being gathered, and
/// the global model's trainable tensors. It takes events (a site joined or left, an update
/// or an evaluation arrived, a deadline passed, a checkpoint was written, a stop was asked
/// for) and returns the actions that follow (send the model, train, evaluate, write a
/// checkpoint, wake me at, finish, stop).
///
/// It does no I/O and reads no clock: every event comes with `now`, seconds on the shell's
/// clock. The coordinator daemon and `simulate --inprocess` both drive it, so a round is
/// decided in one place whoever carries it out.
package struct FederationCore: Sendable {
    package let settings: Settings
    package let spec: TensorSpec
    /// The global model's trainable tensors.
    package internal(set) var global: OrderedDictionary<String, Tensor>
    var machine: RoundStateMachine
    var accumulator: FedAvgAccumulator
    var tally = RoundTally()
    var evaluation: EvaluationTally?
    var holdsBase: Set<String> = []
    /// Base-model bytes sent to sites that joined between rounds, counted in the next round.
    var pendingBaseBytes = 0
    /// Updates refused, and sites that stopped with a reason, since the last round closed:
    /// recorded with the next round that closes (a retried attempt does not lose them).
    var pendingRefusals: [RoundRecord.Refusal] = []
    var pendingStopped: [String: String] = [:]
    /// Rounds closed whose checkpoint is being written; what follows waits for it.
    var writing: (round: Int, after: [RoundStateMachine.Action])?
    /// Set once the last round is saved: the run ends when its evaluation is in.
    var finishing: (rounds: Int, deadline: Double)?
    package internal(set) var isOver = false
    /// A resumed round whose evaluation was lost with the crash that stopped the last run:
    /// asked again of the sites before the next round trains (or, when every round is done,
    /// once `minSites` are back), then the run goes on.
    var unevaluated: Int?
    /// The example count each site announced when it joined (the smallest, over reconnects).
    var announced: [String: Int] = [:]
    /// Differential privacy's noise, accountant and clip norm; nil without `privacy`.
    var ledger: PrivacyLedger?
    /// The open round's updates under a robust rule, and where such a round keeps them.
    var robustRound: RobustRound?
    let makeUpdateStore: @Sendable (_ round: Int, _ length: Int) throws -> any UpdateStore
    /// Moves the global model by each round's average (FedAvg, or FedAvgM, FedAdam…).
    package internal(set) var optimizer: ServerOptimizer
    /// The round machine's rules as this run applies them (privacy sets the sampling and
    /// may end the run early); kept to restart a round secure aggregation had to abandon.
    var policy: RoundPolicy
    /// The open round's secure aggregation, and the round being unmasked.
    var secure: SecureRound?
    var unmasking: Unmasking?
    /// Rounds in a row that secure aggregation had to abandon.
    var abandoned = 0
    /// The open round's sum of the sites' merged adapters, under exact LoRA aggregation.
    var loraExact: LoRAExactAggregation?
    /// Early stopping's judge, the tensors of rounds being evaluated, and the best round's.
    var earlyStopping: EarlyStopping?
    var evaluatedTensors: [Int: OrderedDictionary<String, Tensor>] = [:]
    var bestTensors: OrderedDictionary<String, Tensor>?
    /// Set when the privacy budget allows fewer rounds than the policy asks for.
    package private(set) var budgetLimit: BudgetLimit?

    /// A core that resumes after `completedRounds` rounds whose result is `global`;
    /// `evaluated` is false when the last of them has no evaluation on record.
    /// `privacyHistory`: the `privacy` of each closed round's record, in order (under
    /// differential privacy the accountant and the clip norm are rebuilt from it).
    /// `optimizer`: the server optimizer as the last checkpoint left it (restored by the
    /// shell from its saved state); nil starts a fresh one from the settings.
    /// `updateStores` makes the store a robust rule keeps a round's updates in (in memory
    /// unless the shell gives files). `evaluations`: the evaluation records so far, from
    /// which early stopping is rebuilt.
    package init(
        settings: Settings,
        global: OrderedDictionary<String, Tensor>,
        completedRounds: Int = 0,
        evaluated: Bool = true,
        privacyHistory: [RoundPrivacy] = [],
        optimizer: ServerOptimizer? = nil,
        evaluations: [EvaluationRecord] = [],
        updateStores: @escaping @Sendable (_ round: Int, _ length: Int) throws -> any UpdateStore = {
            InMemoryUpdateStore(length: $1)
        }
    ) {
        self.makeUpdateStore = updateStores
        self.settings = settings
        self.global = global
        self.spec = TensorSpec(updatesOf: global)
        self.optimizer = optimizer ?? ServerOptimizer(settings: settings.optimizerSettings, spec: self.spec)
        var policy = settings.policy
        if let plan = settings.privacy {
            let ledger = PrivacyLedger(plan: plan, key: settings.privacyKey, history: privacyHistory)
            self.budgetLimit = ledger.limit(&policy, completedRounds: completedRounds)
            self.ledger = ledger
        }
        if settings.secureAggregation != nil { policy.minimumSample = 3 }
        if let early = settings.earlyStopping {
            let judge = EarlyStopping(settings: early, evaluations: evaluations.filter { $0.round <= completedRounds })
            // A run early stopping already ended stays ended.
            if judge.stoppedAfter != nil { policy.rounds = Swift.min(policy.rounds, completedRounds) }
            self.earlyStopping = judge
        }
        self.policy = policy
        self.machine = RoundStateMachine(policy: policy, completedRounds: completedRounds)
        self.accumulator = FedAvgAccumulator(spec: self.spec, clipNorm: settings.clipNorm)
        self.unevaluated = completedRounds > 0 && !evaluated ? completedRounds : nil
        // Every round already done and evaluated: a site that joins is only told so.
        self.isOver = completedRounds >= policy.rounds && self.unevaluated == nil
    }

    /// The clip norm of the open round (privacy's, which may adapt, or `strategy.clip_norm`).
    package var clipNorm: Double? { self.ledger?.clipNorm ?? self.settings.clipNorm.map(Double.init) }

    /// The server optimizer's state after the last closed round, for its checkpoint.
    package var serverState: OrderedDictionary<String, Tensor> { self.optimizer.state }

    /// ε spent so far at the plan's δ, under differential privacy.
    package var epsilon: Double? { self.ledger?.epsilon }

    package var completedRounds: Int { self.machine.completedRounds }
    package var phase: RoundStateMachine.Phase { self.machine.phase }
    /// Sites of the open round still to report (none while a checkpoint is written).
    package var awaiting: [String] { self.writing == nil ? self.machine.awaiting.sorted() : [] }
    /// Sites asked to score the global model that have not replied yet.
    package var awaitingEvaluation: [String] { self.evaluation?.pending.sorted() ?? [] }
    /// Bytes of tensor data the running sums hold.
    package var bytesHeld: Int { self.accumulator.bytesHeld + (self.loraExact?.bytesHeld ?? 0) }

    /// A site's seed for one round: different for every site and round, the same in every
    /// run with the same settings (FNV-1a of the name, mixed with the round). It is kept
    /// below 2⁵³ so that it survives JSON, whose numbers a site in any language may read as
    /// a double.
    package static func trainingSeed(_ seed: UInt64, round: Int, site: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in site.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return (seed &+ UInt64(round) &* 1_000_003 &+ hash) & ((1 << 53) - 1)
    }

    package mutating func handle(_ event: Event, now: Double) -> [Action] {
        guard !self.isOver else {
            if case .siteJoined(let site, _, _) = event, case .finished = self.machine.phase {
                return [.finished(rounds: self.machine.completedRounds, sites: [site])]
            }
            return []
        }
        switch event {
        case .siteJoined(let site, let holdsBase, let examples):
            if let examples, examples >= 0 { self.announced[site] = Swift.min(examples, self.announced[site] ?? .max) }
            // A site gets the base model as it joins, so it can check its data against the
            // model before any round, and evaluate even when it is not sampled.
            var actions: [Action] = []
            if self.holdsBase.insert(site).inserted, !holdsBase {
                actions.append(.sendBaseModel(site: site))
                self.countBaseModelSent()
            }
            actions += self.carryOut(self.machine.handle(.siteConnected(site), now: now), now: now)
            if case .finished = self.machine.phase, self.unevaluated != nil,
                self.machine.connected.count >= self.settings.policy.minSites
            {
                // Every round was done, but the last one's evaluation was lost: ask again.
                actions += self.reevaluate() + self.startEvaluation(self.machine.completedRounds, now: now)
            }
            return actions
        case .siteLeft(let site):
            return self.leave(site, reason: "disconnected", now: now)
        case .siteFailed(let site, let told):
            let reason = UntrustedText.clean(told)
            self.pendingStopped[site] = reason
            return self.leave(site, reason: "the site stopped: \(reason)", now: now)
        case .updateReceived(let site, let round, let update):
            return self.receive(update, from: site, round: round, now: now)
        case .updateUnreadable(let site, let round, let told):
            let reason = UntrustedText.clean(told)
            if self.writing != nil || self.machine.refusal(site: site, round: round) != nil {
                return self.refuse(site: site, round: round, reason: reason)
            }
            return [.rejectUpdate(site: site, round: round, reason: reason)] + self.secureDrop(site, now: now)
                + self.carryOut(
                    self.machine.handle(.updateRejected(site: site, round: round, reason: reason), now: now),
                    now: now
                )
        case .evaluationReceived(let site, let round, let examples, let metrics):
            guard self.evaluation?.round == round else { return [] }
            let bound = self.exampleBound(site)
            self.evaluation?.add(site: site, examples: Swift.min(examples, bound), metrics: SiteMetrics.kept(metrics))
            guard self.evaluation?.isComplete == true else { return [] }
            return self.recordEvaluation(now: now) + self.finishIfEvaluated(now: now)
        case .deadlineReached:
            if let unmasking = self.unmasking, now >= unmasking.deadline {
                return self.finishUnmasking(now: now)
            }
            if let finishing = self.finishing, now >= finishing.deadline {
                return self.recordEvaluation(now: now) + self.finishIfEvaluated(now: now, force: true)
            }
            return self.carryOut(self.machine.handle(.tick, now: now), now: now)
        case .secureKeys, .secureShares, .maskedUpdateReceived, .secureUnmasked:
            return self.handleSecure(event, now: now)
        case .checkpointWritten(let round):
            guard let writing = self.writing, writing.round == round else { return [] }
            self.writing = nil
            return self.startEvaluation(round, now: now) + self.carryOut(writing.after, now: now)
        case .checkpointFailed(let round, let reason):
            self.isOver = true
            return [.stop(reason: "the checkpoint of round \(round) could not be written: \(reason)")]
        case .stopRequested:
            self.isOver = true
            return [.shutDown(completedRounds: self.machine.completedRounds)]
        }
    }

    mutating func leave(_ site: String, reason: String, now: Double) -> [Action] {
        self.holdsBase.remove(site)
        var actions: [Action] = self.secureDrop(site, now: now)
        if self.evaluation?.asked.remove(site) != nil, self.evaluation?.isComplete == true {
            actions += self.recordEvaluation(now: now)
            actions += self.finishIfEvaluated(now: now)
        }
        return actions
            + self.carryOut(self.machine.handle(.siteDisconnected(site, reason: reason), now: now), now: now)
    }

    mutating func countBaseModelSent() {
        if case .training = self.machine.phase, self.writing == nil {
            self.tally.bytes.baseModel += self.settings.baseModelBytes
        } else {
            self.pendingBaseBytes += self.settings.baseModelBytes
        }
    }

    /// Turns the round machine's decisions into actions, holding back whatever follows a
    /// closed round until its checkpoint is on disk.
    mutating func carryOut(_ decisions: [RoundStateMachine.Action], now: Double) -> [Action] {
        if var writing = self.writing {
            writing.after += decisions
            self.writing = writing
            return []
        }
        if var unmasking = self.unmasking {
            unmasking.after += decisions
            self.unmasking = unmasking
            return []
        }
        var actions: [Action] = []
        for (index, decision) in decisions.enumerated() {
            switch decision {
            case .startRound(let round, let sites, let deadline):
                actions += self.startRound(round, sites: sites, deadline: deadline, now: now)
            case .foldUpdate:
                continue  // folded as it arrived
            case .rejectUpdate(let site, let reason):
                actions.append(.rejectUpdate(site: site, round: self.machine.completedRounds + 1, reason: "\(reason)"))
            case .closeRound(let round, let reported, let failures) where self.secure != nil:
                let rest = Array(decisions[(index + 1)...])
                return actions + self.startUnmasking(round, reported: reported, failures: failures, after: rest, now: now)
            case .closeRound(let round, let reported, let failures):
                actions.append(self.closeRound(round, reported: reported, failures: failures, now: now))
                self.writing = (round, Array(decisions[(index + 1)...]))
                return actions
            case .retryRound(let round, let reason):
                actions.append(.retryRound(round: round, reason: reason))
            case .finish:
                continue  // handled when the last round's checkpoint is written
            case .stop(let reason):
                self.isOver = true
                actions.append(.stop(reason: reason))
            }
        }
        return actions
    }
}
