import FedTensor

extension Partitioner {
    /// Redraws allowed before examples are moved to fill small sites, as Flower's
    /// DirichletPartitioner gives up after 10 tries.
    static let dirichletAttempts = 10

    /// Label skew: each class's shuffled examples are cut across sites in Dir(alpha)
    /// proportions (Flower Datasets' DirichletPartitioner, FedML's non-iid partition);
    /// the whole draw is repeated while some site has fewer than `minimum` examples, and
    /// after the last attempt the largest sites give examples to the small ones.
    /// Requires `data.count >= sites * minimum`.
    static func dirichlet(_ data: Dataset, sites: Int, alpha: Double, seed: UInt64, minimum: Int) -> [[Int]] {
        var generator = SeededGenerator(seed: seed)
        var byClass = [[Int]](repeating: [], count: data.classNames.count)
        for (index, label) in data.labels.enumerated() { byClass[label].append(index) }

        var parts: [[Int]] = []
        for _ in 0..<self.dirichletAttempts {
            parts = [[Int]](repeating: [], count: sites)
            for members in byClass {
                var members = members
                generator.shuffle(&members)
                let proportions = generator.nextDirichlet(alpha: alpha, count: sites)
                // Cut at the floor of each cumulative share; the last site ends at the class's end
                // so rounding can neither drop nor repeat an example.
                var start = 0
                var cumulative = 0.0
                for site in 0..<sites {
                    cumulative += proportions[site]
                    let end =
                        site == sites - 1
                        ? members.count : Swift.min(Int(cumulative * Double(members.count)), members.count)
                    if end > start { parts[site].append(contentsOf: members[start..<end]) }
                    start = Swift.max(start, end)
                }
            }
            if parts.allSatisfy({ $0.count >= minimum }) { break }
        }
        self.fill(&parts, minimum: minimum)
        // Interleave the classes inside each site rather than leaving them in blocks.
        for site in parts.indices { generator.shuffle(&parts[site]) }
        return parts
    }

    /// Moves examples one at a time from the currently largest site (lowest index on ties)
    /// to each site below `minimum`; taking from the largest keeps the skew of the draw.
    /// A donor always has more than `minimum` because the total is at least sites · minimum.
    static func fill(_ parts: inout [[Int]], minimum: Int) {
        for site in parts.indices {
            while parts[site].count < minimum {
                var donor = 0
                for other in parts.indices where parts[other].count > parts[donor].count { donor = other }
                guard donor != site, parts[donor].count > minimum else { return }
                parts[site].append(parts[donor].removeLast())
            }
        }
    }
}
