/// One round's secure-aggregation setup, sent by the coordinator to every sampled site
/// (the setup stage) and checked by each before it takes part.
///
/// The rule `validate()` enforces, with n sites, k neighbours each and threshold t:
/// - n ≥ 3: with two sites each learns the other's update from the sum anyway;
/// - site names are distinct and non-empty; a site's Shamir point is its position + 1;
/// - 2 ≤ k ≤ n − 1, and k is even unless k = n − 1 (the Harary ring joins k/2 on each side;
///   k = n − 1 is the complete graph of the original SecAgg);
/// - (k + 1)/2 < t ≤ k: a strict majority of the k + 1 share holders (the site and its
///   neighbours) is needed, so a coordinator that tells some holders a site dropped and
///   others that it survived cannot collect t self-mask shares and t key shares of it from
///   disjoint holders; and t ≤ k so the round survives at least one holder dropping out;
/// - the vector length is positive and the quantiser's summand count is at least n.
package struct SecAggConfiguration: Codable, Sendable, Equatable {
    /// The round number; it is bound into every key derivation and ciphertext.
    package var round: Int
    /// The sampled sites in order; site `sites[i]` has Shamir point i + 1.
    package var sites: [String]
    /// k: neighbours per site (n − 1 for original SecAgg).
    package var neighbourCount: Int
    /// t: shares needed to reconstruct a secret.
    package var threshold: Int
    /// Public seed of the neighbour graph's permutation.
    package var graphSeed: UInt64
    /// L: values per update vector.
    package var vectorLength: Int
    /// How updates become integers modulo 2³² and back.
    package var quantizer: Quantizer

    package init(
        round: Int,
        sites: [String],
        neighbourCount: Int,
        threshold: Int,
        graphSeed: UInt64,
        vectorLength: Int,
        quantizer: Quantizer
    ) {
        self.round = round
        self.sites = sites
        self.neighbourCount = neighbourCount
        self.threshold = threshold
        self.graphSeed = graphSeed
        self.vectorLength = vectorLength
        self.quantizer = quantizer
    }

    /// Throws `invalidConfiguration` naming the first rule (see the type's comment) broken.
    package func validate() throws(SecAggError) {
        let n = self.sites.count
        let k = self.neighbourCount
        let t = self.threshold
        func refuse(_ reason: String) -> SecAggError { .invalidConfiguration(reason: reason) }
        guard n >= 3 else { throw refuse("\(n) sites are sampled; secure aggregation needs at least 3") }
        guard Set(self.sites).count == n, !self.sites.contains("") else {
            throw refuse("the site names must be distinct and non-empty")
        }
        guard n < Int(UInt32.max) else { throw refuse("\(n) sites are more than Shamir points can name") }
        guard k >= 2, k <= n - 1 else { throw refuse("each site needs 2…\(n - 1) neighbours, not \(k)") }
        guard k % 2 == 0 || k == n - 1 else {
            throw refuse("the neighbour count \(k) must be even unless it is n − 1 = \(n - 1)")
        }
        guard 2 * t > k + 1, t <= k else {
            throw refuse(
                "the threshold \(t) must be a strict majority of the \(k + 1) share holders and at most \(k): "
                    + "choose \((k + 1) / 2 + 1)…\(k)"
            )
        }
        guard self.vectorLength > 0 else { throw refuse("the vector length must be positive") }
        if let problem = self.quantizer.problem { throw refuse(problem) }
        guard self.quantizer.maxSummands >= n else {
            throw refuse("the quantiser allows \(self.quantizer.maxSummands) summands but \(n) sites are sampled")
        }
    }

    /// The neighbour graph every party derives from this configuration.
    package var graph: NeighbourGraph {
        NeighbourGraph(siteCount: self.sites.count, degree: self.neighbourCount, seed: self.graphSeed)
    }

    /// Bytes that name this round in key derivations and associated data, so a ciphertext or
    /// mask seed of one round is useless in another.
    package var context: [UInt8] {
        PairwiseKeys.encode(["fedtune-secagg-v1", "round \(self.round)", "graph \(self.graphSeed)"])
    }
}
