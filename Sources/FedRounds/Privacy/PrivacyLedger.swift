import FedSupport
import FedTensor
import OrderedCollections

/// The privacy side of a federation: the plan, the secret key its noise and sampling are
/// drawn from, the accountant with every closed round composed, and the clip norm of the
/// next round. It turns a round's clipped sum into the noisy average that is released and
/// the round's `RoundPrivacy`. Rebuilt from the records on resume, it continues the same
/// budget exactly.
struct PrivacyLedger: Sendable {
    let plan: DifferentialPrivacy
    /// 32 secret bytes (the state folder's, or a simulation's seed).
    let key: [UInt8]
    private(set) var accountant: RDPAccountant
    /// C for the next round to close.
    private(set) var clipNorm: Double

    /// A ledger after the rounds recorded in `history` (in round order).
    init(plan: DifferentialPrivacy, key: [UInt8], history: [RoundPrivacy]) {
        self.plan = plan
        self.key = key
        self.clipNorm = plan.clipNorm
        self.accountant = plan.accountant()
        for round in history {
            // `mismatch` is checked by the shells before: every recorded event composes.
            try? self.accountant.compose(round.event)
            self.clipNorm = round.nextClipNorm ?? round.clipNorm
        }
        // A plan without adaptive clipping uses its own C, whatever an earlier run did.
        if plan.adaptive == nil { self.clipNorm = plan.clipNorm }
    }

    /// The seed of Poisson and fixed-size sampling: secret, so no site can tell whether
    /// another takes part.
    var samplingSeed: UInt64 {
        var stream = KeyStream(deriving: [self.key, Array("sampling".utf8)])
        return stream.next()
    }

    /// Sets the round machine's sampling and its secret seed, and cuts its rounds to what the
    /// budget allows after `completedRounds`; the limit when it had to.
    func limit(_ policy: inout RoundPolicy, completedRounds: Int) -> FederationCore.BudgetLimit? {
        policy.sampleSize = self.plan.sampleSize
        policy.seed = self.samplingSeed
        let wanted = Swift.max(policy.rounds - completedRounds, 0)
        let allowed = self.plan.affordableRounds(wanted, spent: self.accountant)
        guard allowed < wanted, let target = self.plan.targetEpsilon else { return nil }
        let asked = policy.rounds
        policy.rounds = completedRounds + allowed
        return FederationCore.BudgetLimit(
            rounds: policy.rounds,
            wanted: asked,
            epsilon: self.plan.epsilon(after: allowed, spent: self.accountant),
            nextEpsilon: self.plan.epsilon(after: allowed + 1, spent: self.accountant),
            target: target,
            delta: self.plan.delta
        )
    }

    /// ε spent so far.
    var epsilon: Double { self.plan.epsilon(after: 0, spent: self.accountant) }

    /// Releases round `round`: adds N(0, (z_Δ·C)²) to each coordinate of the clipped sum,
    /// divides by the expected number of sites, composes the round, and moves an adaptive
    /// clip norm. `unclipped` and `counted` are the updates at or under C and all updates.
    mutating func release(
        _ accumulator: FedAvgAccumulator,
        round: Int,
        unclipped: Int,
        counted: Int
    ) -> (average: OrderedDictionary<String, Tensor>, record: RoundPrivacy) {
        let sigma = self.plan.updateNoiseMultiplier * self.clipNorm
        let average = accumulator.noisyAverage(divisor: self.plan.expectedSites) { name, count in
            GaussianNoise.sample(count: count, standardDeviation: sigma, key: self.key, purpose: "update:" + name,
                round: round)
        }
        try? self.accountant.compose(self.plan.event)  // validated when the plan was made
        var record = RoundPrivacy(
            mechanism: "gaussian",
            sampling: { if case .poisson = self.plan.sampling { "poisson" } else { "fixed" } }(),
            sampleRate: self.sampleRate,
            noiseMultiplier: self.plan.noiseMultiplier,
            updateNoiseMultiplier: self.plan.updateNoiseMultiplier,
            clipNorm: self.clipNorm,
            noiseStddev: sigma,
            expectedSites: self.plan.expectedSites,
            delta: self.plan.delta,
            epsilon: self.epsilon,
            targetEpsilon: self.plan.targetEpsilon,
            event: self.plan.event
        )
        if let adaptive = self.plan.adaptive {
            let normal = GaussianNoise.sample(count: 1, standardDeviation: 1, key: self.key, purpose: "count",
                round: round)[0]
            let fraction = adaptive.unclippedFraction(unclipped: unclipped, counted: counted,
                expectedSites: self.plan.expectedSites, normal: Double(normal))
            self.clipNorm = adaptive.nextClipNorm(self.clipNorm, unclippedFraction: fraction)
            record.unclippedFraction = fraction
            record.nextClipNorm = self.clipNorm
        }
        return (average, record)
    }

    private var sampleRate: Double {
        switch self.plan.sampling {
        case .poisson(let rate): rate
        case .fixed(let count): Double(count) / Double(Swift.max(self.plan.population, 1))
        }
    }
}
