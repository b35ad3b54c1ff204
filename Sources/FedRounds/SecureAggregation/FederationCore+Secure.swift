import FedSecAgg
import FedSupport
import FedTensor
import OrderedCollections

/// A masked update: what a site sends in a round with secure aggregation.
package struct MaskedUpdate: Sendable {
    package var examples: Int
    package var metrics: [String: Double]
    package var masked: MaskedInput
    /// Size of the blob it came in.
    package var bytes: Int

    package init(examples: Int, metrics: [String: Double], masked: MaskedInput, bytes: Int) {
        self.examples = examples
        self.metrics = metrics
        self.masked = masked
        self.bytes = bytes
    }
}

/// Secure aggregation in the federation core. A round's sampled sites get its setup with
/// `train`; they exchange keys and encrypted shares through the coordinator before they
/// train, then send masked updates, which are the round's reports. When the round machine
/// closes the round, the survivors are asked for the shares that remove the masks; the
/// unmasked sum — never a single update — is then averaged (or noised, under privacy) and
/// saved like any round. A round the protocol cannot finish is tried again.
extension FederationCore {
    /// The round that is being unmasked: what the round machine decided when it closed it,
    /// held until the sum is known.
    struct Unmasking: Sendable {
        var round: Int
        var reported: [String]
        var failures: [String: String]
        var after: [RoundStateMachine.Action]
        var deadline: Double
    }

    /// The setup a site needs with its `train` for `round`, when that round is secure.
    package func secureSetup(round: Int) -> SecureSetup? {
        self.secure.flatMap { $0.round == round ? $0.setup : nil }
    }

    mutating func openSecureRound(_ round: Int, sites: [String], now: Double) -> [Action] {
        guard let settings = self.settings.secureAggregation else { return [] }
        let clip = self.ledger?.clipNorm ?? self.settings.clipNorm.map(Double.init) ?? 1
        let k = settings.neighbourCount(sites: sites.count)
        let countsUnclipped = self.ledger?.plan.adaptive != nil
        let configuration = SecAggConfiguration(
            round: round,
            sites: sites,
            neighbourCount: k,
            threshold: settings.threshold(neighbours: k),
            graphSeed: Self.trainingSeed(self.policy.seed ^ 0x6772_6170_6800, round: round, site: "graph"),
            vectorLength: SecureVector.length(self.spec, countsUnclipped: countsUnclipped),
            quantizer: Quantizer(clipBound: Float(clip), maxSummands: sites.count)
        )
        do throws(SecAggError) {
            self.secure = try SecureRound(setup: SecureSetup(configuration: configuration, countsUnclipped: countsUnclipped))
            return []
        } catch {
            // Settings are checked when they are read; this is a last guard, not a path.
            self.secure = nil
            return sites.flatMap { self.failSecure($0, round: round, reason: "\(error)", now: now) }
        }
    }

    mutating func handleSecure(_ event: Event, now: Double) -> [Action] {
        switch event {
        case .secureKeys(let site, let round, let keys):
            return self.secureStep(site: site, round: round, now: now) { secure throws(SecAggError) in
                try secure.receive(keys: keys, from: site)
            }
        case .secureShares(let site, let round, let shares):
            return self.secureStep(site: site, round: round, now: now) { secure throws(SecAggError) in
                try secure.receive(shares: shares, from: site)
            }
        case .maskedUpdateReceived(let site, let round, let update):
            return self.receiveMasked(update, from: site, round: round, now: now)
        case .secureUnmasked(let site, let round, let response):
            guard let unmasking = self.unmasking, unmasking.round == round, var secure = self.secure else {
                return self.refuse(site: site, round: round, reason: "no round is being unmasked")
            }
            let complete: Bool
            do throws(SecAggError) {
                complete = try secure.receive(unmask: response, from: site)
                self.secure = secure
            } catch {
                self.secure = secure
                return self.refuse(site: site, round: round, reason: "\(error)")
            }
            return complete ? self.finishUnmasking(now: now) : []
        default:
            return []
        }
    }

    /// A stage-1 or stage-2 message: refused unless it is the open secure round's and the
    /// site still trains in it; a message the protocol refuses fails the site for the round.
    private mutating func secureStep(
        site: String,
        round: Int,
        now: Double,
        _ body: (inout SecureRound) throws(SecAggError) -> SecureRound.Step
    ) -> [Action] {
        guard self.writing == nil, self.unmasking == nil, var secure = self.secure, secure.round == round,
            self.machine.refusal(site: site, round: round) == nil
        else {
            return self.refuse(site: site, round: round, reason: "no secure round \(round) is open for '\(site)'")
        }
        do throws(SecAggError) {
            let step = try body(&secure)
            self.secure = secure
            return self.carry(step, round: round, now: now)
        } catch {
            self.secure = secure
            return self.failSecure(site, round: round, reason: "\(error)", now: now)
        }
    }

    private mutating func receiveMasked(_ update: MaskedUpdate, from site: String, round: Int, now: Double) -> [Action]
    {
        if let refusal = self.machine.refusal(site: site, round: round) {
            return self.refuse(site: site, round: round, reason: "\(refusal)")
        }
        guard self.writing == nil, var secure = self.secure, secure.round == round else {
            return self.refuse(site: site, round: round, reason: "round \(round) does not use secure aggregation")
        }
        if let problem = SiteMetrics.problem(update.metrics) {
            return self.failSecure(site, round: round, reason: problem, now: now)
        }
        let bound = self.exampleBound(site)
        if update.examples > bound { self.tally.capped[site] = update.examples }
        guard update.examples >= 1 else {
            return self.failSecure(site, round: round, reason: "\(UpdateRejection.invalidExampleCount(update.examples))", now: now)
        }
        do throws(SecAggError) {
            try secure.receive(masked: update.masked, from: site)
            self.secure = secure
        } catch {
            self.secure = secure
            return self.failSecure(site, round: round, reason: "\(error)", now: now)
        }
        self.tally.add(
            site: site, examples: Swift.min(update.examples, bound), metrics: update.metrics, bytes: update.bytes,
            scale: nil)
        return self.carryOut(self.machine.handle(.updateArrived(site: site, round: round), now: now), now: now)
    }

    /// The site's part in the secure round is over (it left, failed or was refused).
    mutating func secureDrop(_ site: String, now: Double) -> [Action] {
        guard var secure = self.secure else { return [] }
        let step = secure.drop(site)
        self.secure = secure
        if self.unmasking != nil {
            return secure.stage == .unmask && secure.waiting.isEmpty ? self.finishUnmasking(now: now) : []
        }
        return self.carry(step, round: secure.round, now: now)
    }

    /// Fails `site` for the secure round: the site is told, the protocol drops it and the
    /// round machine counts it as a failure.
    private mutating func failSecure(_ site: String, round: Int, reason: String, now: Double) -> [Action] {
        let reason = UntrustedText.clean(reason)
        return [.rejectUpdate(site: site, round: round, reason: reason)] + self.secureDrop(site, now: now)
            + self.carryOut(
                self.machine.handle(.updateRejected(site: site, round: round, reason: reason), now: now), now: now)
    }

    /// Sends what a closed stage produced; sites it left out fail, and a protocol that
    /// cannot go on fails every site still in the round.
    private mutating func carry(_ step: SecureRound.Step, round: Int, now: Double) -> [Action] {
        var actions = step.messages.map { Action.secure(site: $0.site, round: round, $0.message) }
        for site in step.leftOut where self.machine.refusal(site: site, round: round) == nil {
            actions += self.failSecure(
                site, round: round, reason: "left out of secure aggregation: too few of its neighbours took part",
                now: now)
        }
        if let reason = step.abandoned {
            for site in self.machine.awaiting.sorted() {
                actions += self.failSecure(site, round: round, reason: "secure aggregation failed: \(reason)", now: now)
            }
        }
        return actions
    }

    /// The round machine closed a secure round: ask the survivors for their shares.
    mutating func startUnmasking(
        _ round: Int,
        reported: [String],
        failures: [String: String],
        after: [RoundStateMachine.Action],
        now: Double
    ) -> [Action] {
        guard var secure = self.secure else { return [] }
        for site in failures.keys { _ = secure.drop(site) }
        let deadline = now + self.policy.deadlineSeconds
        let step = secure.startUnmasking(deadline: deadline)
        self.secure = secure
        self.unmasking = Unmasking(round: round, reported: reported, failures: failures, after: after, deadline: deadline)
        if let reason = step.abandoned { return self.abandonRound(round, reason: reason, now: now) }
        if secure.waiting.isEmpty { return self.finishUnmasking(now: now) }
        return step.messages.map { Action.secure(site: $0.site, round: round, $0.message) } + [.wake(at: deadline)]
    }

    /// Removes the masks and releases the round: the sum's mean (noised under privacy).
    mutating func finishUnmasking(now: Double) -> [Action] {
        guard let unmasking = self.unmasking, var secure = self.secure else { return [] }
        let sum: [Float]
        do throws(SecAggError) {
            sum = try secure.result()
        } catch {
            self.secure = secure
            return self.abandonRound(unmasking.round, reason: "\(error)", now: now)
        }
        let survivors = secure.survivors
        let (tensors, unclipped) = SecureVector.split(sum, spec: self.spec, setup: secure.setup)
        var accumulator = FedAvgAccumulator(spec: self.spec, clipNorm: nil, uniformWeights: true)
        if !survivors.isEmpty { _ = try? accumulator.add(tensors, examples: 1) }
        var privacy: RoundPrivacy?
        if var ledger = self.ledger {
            let released = ledger.release(
                accumulator, round: unmasking.round, unclipped: unclipped ?? survivors.count, counted: survivors.count)
            self.ledger = ledger
            privacy = released.record
            privacy?.secureAggregation = true
            self.optimizer.apply(released.average, to: &self.global)
        } else if !survivors.isEmpty {
            let average = accumulator.noisyAverage(divisor: Double(survivors.count)) { [Float](repeating: 0, count: $1) }
            self.optimizer.apply(average, to: &self.global)
        }
        for refusal in secure.refusals {
            self.pendingRefusals.append(.init(site: refusal.site, round: unmasking.round, reason: "\(refusal.reason)"))
        }
        self.secure = nil
        self.unmasking = nil
        self.abandoned = 0
        var record = self.tally.record(
            round: unmasking.round, reported: unmasking.reported, failures: unmasking.failures, now: now)
        record.privacy = privacy
        record.refused = self.pendingRefusals.isEmpty ? nil : self.pendingRefusals
        record.stopped = self.pendingStopped.isEmpty ? nil : self.pendingStopped
        self.pendingRefusals = []
        self.pendingStopped = [:]
        self.writing = (unmasking.round, unmasking.after)
        return [.writeCheckpoint(round: unmasking.round, tensors: self.global, record: record)]
    }

    /// The round's sum cannot be unmasked: the round is run again from its start (the round
    /// machine is rebuilt as it was before it), up to `maxRetries` times in a row.
    private mutating func abandonRound(_ round: Int, reason: String, now: Double) -> [Action] {
        for refusal in self.secure?.refusals ?? [] {
            self.pendingRefusals.append(.init(site: refusal.site, round: round, reason: "\(refusal.reason)"))
        }
        self.secure = nil
        self.unmasking = nil
        self.abandoned += 1
        let why = "round \(round): secure aggregation could not unmask the sum: \(reason)"
        if self.abandoned > self.policy.maxRetries {
            self.isOver = true
            return [.stop(reason: why + "; gave up after \(self.policy.maxRetries) retries")]
        }
        let connected = self.machine.connected
        self.machine = RoundStateMachine(policy: self.policy, completedRounds: round - 1)
        var decisions: [RoundStateMachine.Action] = []
        for site in connected.sorted() { decisions += self.machine.handle(.siteConnected(site), now: now) }
        return [.retryRound(round: round, reason: why)] + self.carryOut(decisions, now: now)
    }
}
