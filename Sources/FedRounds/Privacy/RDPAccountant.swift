/// A Rényi differential privacy accountant: the RDP ε(α) a sequence of releases has spent,
/// at a fixed set of orders α, and what that means as an (ε, δ) guarantee. A port of
/// dp_accounting 0.6.0's RdpAccountant for the Gaussian events fedtune releases (plain,
/// Poisson-sampled, sampled without replacement); it matches dp_accounting's ε to about 1e-12
/// (Tests/Fixtures/privacy/dp_accounting.json).
///
/// It is a value made of two arrays, so it can be kept in durable state and restored exactly
/// (Codable writes ∞ as the string "inf", which JSON cannot hold as a number).
package struct RDPAccountant: Sendable, Equatable {
    /// dp_accounting's DEFAULT_RDP_ORDERS: 1.1 to 10.9 in steps of 0.1, 11 to 63, then 128,
    /// 256, 512 and 1024 (156 orders), computed as dp_accounting does so the values agree bit
    /// for bit.
    package static let defaultOrders: [Double] = {
        let fractional: [Double] = (1..<100).map { (x: Int) -> Double in 1 + Double(x) / 10.0 }
        let integral: [Double] = (11..<64).map { (x: Int) -> Double in Double(x) }
        return fractional + integral + [128, 256, 512, 1024]
    }()

    /// The orders α at which RDP is tracked.
    package let orders: [Double]
    /// The accumulated ε(α), one per order; 0 before anything is composed.
    package internal(set) var rdp: [Double]
    /// The neighbouring relation the guarantee is stated for.
    package let relation: NeighboringRelation

    /// An empty accountant at dp_accounting's default orders.
    package init(relation: NeighboringRelation = .addOrRemoveOne) {
        self.orders = Self.defaultOrders
        self.rdp = [Double](repeating: 0, count: Self.defaultOrders.count)
        self.relation = relation
    }

    /// An empty accountant at the given orders (finite, above 1, at least one).
    package init(orders: [Double], relation: NeighboringRelation = .addOrRemoveOne) throws(PrivacyError) {
        guard !orders.isEmpty, orders.allSatisfy({ $0.isFinite && $0 > 1 }) else { throw .invalidOrders(orders) }
        self.orders = orders
        self.rdp = [Double](repeating: 0, count: orders.count)
        self.relation = relation
    }

    /// Adds `count` independent releases of `event`: ε(α) += count · ε_event(α), as
    /// dp_accounting composes a SelfComposedDpEvent.
    package mutating func compose(_ event: PrivacyEvent, count: Int = 1) throws(PrivacyError) {
        try event.validate()
        guard count >= 0 else { throw .negativeCount(count) }
        if let needed = event.neighboringRelation, needed != self.relation {
            throw .wrongNeighboringRelation(event: event.name, needs: needed, accountant: self.relation)
        }
        guard count > 0 else { return }
        let single = event.rdp(orders: self.orders)
        for index in self.rdp.indices {
            self.rdp[index] += Double(count) * single[index]
        }
    }

    /// The smallest ε for which everything composed so far is (ε, δ)-DP, and the order that
    /// gives it. ∞ when a release had no noise; 0 before anything was composed.
    package func epsilon(delta: Double) throws(PrivacyError) -> (epsilon: Double, order: Double) {
        guard delta > 0, delta < 1 else { throw .deltaOutOfRange(delta) }
        return RDPConversion.epsilon(orders: self.orders, rdp: self.rdp, delta: delta)
    }

    /// The smallest δ for which everything composed so far is (ε, δ)-DP (at most 1).
    package func delta(epsilon: Double) throws(PrivacyError) -> Double {
        guard epsilon.isFinite, epsilon >= 0 else { throw .invalidEpsilon(epsilon) }
        return RDPConversion.delta(orders: self.orders, rdp: self.rdp, epsilon: epsilon).delta
    }

    /// ε after `rounds` rounds of the Poisson-sampled Gaussian mechanism (each site takes part
    /// with probability `sampleRate`) at δ, and the RDP order that gives it.
    package static func epsilon(
        noiseMultiplier: Double,
        sampleRate: Double,
        rounds: Int,
        delta: Double
    ) throws(PrivacyError) -> (epsilon: Double, order: Double) {
        var accountant = RDPAccountant(relation: .addOrRemoveOne)
        let event = PrivacyEvent.poissonSampledGaussian(sampleRate: sampleRate, noiseMultiplier: noiseMultiplier)
        try accountant.compose(event, count: rounds)
        return try accountant.epsilon(delta: delta)
    }

    /// ε after `rounds` rounds that each sample `sampleSize` of `populationSize` sites without
    /// replacement (replace-one relation) at δ, and the RDP order that gives it.
    package static func epsilon(
        noiseMultiplier: Double,
        populationSize: Int,
        sampleSize: Int,
        rounds: Int,
        delta: Double
    ) throws(PrivacyError) -> (epsilon: Double, order: Double) {
        var accountant = RDPAccountant(relation: .replaceOne)
        let event = PrivacyEvent.sampledWithoutReplacementGaussian(
            populationSize: populationSize,
            sampleSize: sampleSize,
            noiseMultiplier: noiseMultiplier
        )
        try accountant.compose(event, count: rounds)
        return try accountant.epsilon(delta: delta)
    }
}
