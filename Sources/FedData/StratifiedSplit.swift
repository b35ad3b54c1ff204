import FedTensor

/// Seeded, stratified splitting: each class is shuffled and cut in the given
/// proportions, so every part keeps the class balance of the whole.
package enum StratifiedSplit {
    /// Example indices for each part, e.g. fractions [0.8, 0.1, 0.1] for train,
    /// validation and test. Fractions must be non-negative and sum to 1 (within 1e-6);
    /// each class's leftovers from rounding go to the first part.
    package static func indices(labels: [Int], fractions: [Double], seed: UInt64) -> [[Int]] {
        precondition(
            fractions.allSatisfy { $0 >= 0 } && abs(fractions.reduce(0, +) - 1) < 1e-6,
            "split fractions must be non-negative and sum to 1, got \(fractions)"
        )
        var generator = SeededGenerator(seed: seed)
        var byClass: [Int: [Int]] = [:]
        for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
        var parts = [[Int]](repeating: [], count: fractions.count)
        for label in byClass.keys.sorted() {
            var members = byClass[label]!
            generator.shuffle(&members)
            var start = 0
            var taken = [Int](repeating: 0, count: fractions.count)
            for part in 1..<fractions.count {
                taken[part] = Int((Double(members.count) * fractions[part]).rounded())
            }
            taken[0] = Swift.max(members.count - taken.dropFirst().reduce(0, +), 0)
            for part in 0..<fractions.count {
                let end = Swift.min(start + taken[part], members.count)
                parts[part].append(contentsOf: members[start..<end])
                start = end
            }
        }
        // Shuffle each part so classes are interleaved rather than in blocks.
        for part in parts.indices { generator.shuffle(&parts[part]) }
        return parts
    }
}
