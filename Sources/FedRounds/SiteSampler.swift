import FedTensor

/// How many of the connected sites a round trains on.
package enum SampleSize: Sendable, Equatable, Codable {
    /// Every connected site.
    case all
    /// A fixed number (at most all connected sites).
    case count(Int)
    /// A share of the connected sites, rounded up, at least one.
    case fraction(Double)

    package func count(of available: Int) -> Int {
        switch self {
        case .all: available
        case .count(let n): Swift.min(n, available)
        case .fraction(let f): Swift.min(available, Swift.max(1, Int((Double(available) * f).rounded(.up))))
        }
    }
}

/// Seeded choice of a round's sites: the same seed, round and set of connected sites
/// always give the same selection, whatever order the sites connected in.
package enum SiteSampler {
    package static func sample(_ sites: Set<String>, size: SampleSize, round: Int, seed: UInt64) -> [String] {
        var candidates = sites.sorted()
        var generator = SeededGenerator(seed: seed &+ UInt64(round) &* 0x9E37_79B9_7F4A_7C15)
        var order = Array(candidates.indices)
        generator.shuffle(&order)
        candidates = order.prefix(size.count(of: candidates.count)).map { candidates[$0] }
        return candidates.sorted()
    }
}
