/// Which datasets count as neighbours, the unit a privacy guarantee protects (dp_accounting's
/// NeighboringRelation). Under `addOrRemoveOne` one site's data may be present or absent;
/// under `replaceOne` the population is public and one site's data may be swapped for another.
package enum NeighboringRelation: String, Sendable, Codable, Equatable, CustomStringConvertible {
    case addOrRemoveOne
    case replaceOne

    package var description: String {
        switch self {
        case .addOrRemoveOne: "add-or-remove-one"
        case .replaceOne: "replace-one"
        }
    }
}

/// One release of a noised sum, as the accountant composes it: the Gaussian mechanism on its
/// own, after Poisson sampling (each site takes part with probability q), or after sampling a
/// fixed number of sites without replacement. The noise multiplier z is the noise's standard
/// deviation over the L2 clipping norm.
package enum PrivacyEvent: Sendable, Codable, Equatable {
    case gaussian(noiseMultiplier: Double)
    case poissonSampledGaussian(sampleRate: Double, noiseMultiplier: Double)
    case sampledWithoutReplacementGaussian(populationSize: Int, sampleSize: Int, noiseMultiplier: Double)

    /// The noise multiplier z of the Gaussian release.
    package var noiseMultiplier: Double {
        switch self {
        case .gaussian(let z), .poissonSampledGaussian(_, let z), .sampledWithoutReplacementGaussian(_, _, let z): z
        }
    }

    /// The relation the event's analysis needs; nil when either holds (no sampling).
    /// dp_accounting refuses Poisson sampling under replace-one and sampling without
    /// replacement under add-or-remove-one, and so does the accountant.
    package var neighboringRelation: NeighboringRelation? {
        switch self {
        case .gaussian: nil
        case .poissonSampledGaussian: .addOrRemoveOne
        case .sampledWithoutReplacementGaussian: .replaceOne
        }
    }

    /// The same event with another noise multiplier (what calibration searches over).
    package func with(noiseMultiplier z: Double) -> PrivacyEvent {
        switch self {
        case .gaussian: .gaussian(noiseMultiplier: z)
        case .poissonSampledGaussian(let q, _): .poissonSampledGaussian(sampleRate: q, noiseMultiplier: z)
        case .sampledWithoutReplacementGaussian(let n, let m, _):
            .sampledWithoutReplacementGaussian(populationSize: n, sampleSize: m, noiseMultiplier: z)
        }
    }

    /// Throws when a parameter is outside its range (the checks dp_accounting makes).
    package func validate() throws(PrivacyError) {
        let z = self.noiseMultiplier
        guard z.isFinite, z >= 0 else { throw .invalidNoiseMultiplier(z) }
        switch self {
        case .gaussian:
            break
        case .poissonSampledGaussian(let q, _):
            guard q >= 0, q <= 1 else { throw .sampleRateOutOfRange(q) }
        case .sampledWithoutReplacementGaussian(let n, let m, _):
            guard n >= 1, m >= 0, m <= n else { throw .invalidSample(populationSize: n, sampleSize: m) }
        }
    }

    /// The event's RDP ε(α) at each order, as dp_accounting's RdpAccountant adds it for one
    /// composition. A plain Gaussian is Poisson sampling with q = 1 (as dp_accounting computes it).
    func rdp(orders: [Double]) -> [Double] {
        switch self {
        case .gaussian(let z):
            orders.map { SampledGaussianRDP.rdp(sampleRate: 1, noiseMultiplier: z, order: $0) }
        case .poissonSampledGaussian(let q, let z):
            orders.map { SampledGaussianRDP.rdp(sampleRate: q, noiseMultiplier: z, order: $0) }
        case .sampledWithoutReplacementGaussian(let n, let m, let z):
            SampledWithoutReplacementRDP.rdp(sampleRate: Double(m) / Double(n), noiseMultiplier: z, orders: orders)
        }
    }

    /// A short name for messages.
    var name: String {
        switch self {
        case .gaussian: "the Gaussian mechanism"
        case .poissonSampledGaussian: "the Poisson-sampled Gaussian mechanism"
        case .sampledWithoutReplacementGaussian: "the Gaussian mechanism sampled without replacement"
        }
    }
}
