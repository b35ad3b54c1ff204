import FedTensor

/// How many of the connected sites a round trains on.
package enum SampleSize: Sendable, Equatable, Codable {
    /// Every connected site.
    case all
    /// A fixed number (at most all connected sites).
    case count(Int)
    /// A share of the connected sites, rounded up, at least one.
    case fraction(Double)
    /// Each connected site independently with this probability (differential privacy's
    /// Poisson sampling): a round may have no site at all.
    case poisson(Double)

    /// How many of `available` sites a round takes (for `.poisson`, the expected number
    /// rounded up).
    package func count(of available: Int) -> Int {
        switch self {
        case .all: available
        case .count(let n): Swift.min(n, available)
        case .fraction(let f): Swift.min(available, Swift.max(1, Int((Double(available) * f).rounded(.up))))
        case .poisson(let q): Swift.min(available, Int((Double(available) * q).rounded(.up)))
        }
    }
}

/// Seeded choice of a round's sites: the same seed, round and set of connected sites
/// always give the same selection, whatever order the sites connected in.
package enum SiteSampler {
    /// The sites of `round`, in name order. Under `.poisson` each site is kept by its own
    /// draw, so a site's fate does not depend on who else is connected.
    package static func sample(_ sites: Set<String>, size: SampleSize, round: Int, seed: UInt64) -> [String] {
        var candidates = sites.sorted()
        var generator = SeededGenerator(seed: seed &+ UInt64(round) &* 0x9E37_79B9_7F4A_7C15)
        if case .poisson(let q) = size {
            return candidates.filter { site in
                var draw = SeededGenerator(seed: FederationCore.trainingSeed(seed ^ 0x706F_6973_736F_6E00, round: round, site: site))
                return Double(draw.next() >> 11) * 0x1.0p-53 < q
            }
        }
        var order = Array(candidates.indices)
        generator.shuffle(&order)
        candidates = order.prefix(size.count(of: candidates.count)).map { candidates[$0] }
        return candidates.sorted()
    }
}
