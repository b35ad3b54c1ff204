/// Who masks with whom in SecAgg+ (Bell et al. 2020): each site is joined to `degree`
/// others, so a site's work grows with the degree, not the number of sites.
///
/// The graph is the Harary graph H(degree, n) on a permutation of the sites drawn from a
/// public seed: on the permuted ring each site is joined to the degree/2 sites on either
/// side (Flower's SecAgg+ does the same with a shuffled ring). Everyone derives the same
/// graph from the configuration alone. degree = n − 1 is the complete graph: original SecAgg.
package struct NeighbourGraph: Sendable, Equatable {
    /// neighbours[i] = indices (into the configuration's site list) of site i's neighbours, ascending.
    package let neighbours: [[Int]]

    /// The graph over `siteCount` sites; `degree` must be even or equal to siteCount − 1
    /// (`SecAggConfiguration.validate()` checks this).
    package init(siteCount: Int, degree: Int, seed: UInt64) {
        if degree >= siteCount - 1 {
            self.neighbours = (0..<siteCount).map { site in (0..<siteCount).filter { $0 != site } }
            return
        }
        var generator = SplitMix64(seed: seed)
        var ring = Array(0..<siteCount)
        // Fisher–Yates with an explicit, portable generator: Swift's shuffle(using:) does not
        // promise its algorithm, and every party must derive the same permutation.
        for index in stride(from: siteCount - 1, to: 0, by: -1) {
            let other = Int(generator.next() % UInt64(index + 1))
            ring.swapAt(index, other)
        }
        var neighbours = [Set<Int>](repeating: [], count: siteCount)
        for position in 0..<siteCount {
            for offset in 1...(degree / 2) {
                let a = ring[position]
                let b = ring[(position + offset) % siteCount]
                neighbours[a].insert(b)
                neighbours[b].insert(a)
            }
        }
        self.neighbours = neighbours.map { $0.sorted() }
    }

    /// Whether sites i and j mask with each other.
    package func areNeighbours(_ i: Int, _ j: Int) -> Bool {
        self.neighbours[i].contains(j)
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny, fully specified generator for public
/// choices every party must repeat exactly. Never for keys or masks.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    package init(seed: UInt64) {
        self.state = seed
    }

    package mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
