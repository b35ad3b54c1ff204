import FedTensor
import Foundation

/// Seeded splits of one dataset into the private data of several sites, for simulating a
/// federation on a single machine.
package enum Partitioner {
    /// Example indices per site [sites][examples]: every example goes to exactly one site,
    /// and the same seed gives the same split on every machine.
    ///
    /// For `.iid` and `.dirichlet` each site gets at least `minimumPerSite` examples (a
    /// Dirichlet draw is repeated a few times, then examples are moved from the largest
    /// sites); for `.byColumn` the column must be a feature column with exactly `sites`
    /// distinct values, each on at least `minimumPerSite` examples. Columns that are not
    /// features go through `split(byValues:)` with their raw values.
    /// - Throws: `DataError.tooFewExamples` (path "partition") when the sites cannot all be
    ///   filled, `DataError.invalidPartition` for a bad site count, alpha or column.
    package static func split(
        _ data: Dataset,
        sites: Int,
        partition: Partition,
        seed: UInt64,
        minimumPerSite: Int = 1
    ) throws -> [[Int]] {
        guard sites >= 1 else {
            throw DataError.invalidPartition(detail: "\(sites) sites asked for; a federation needs at least 1")
        }
        let minimum = Swift.max(minimumPerSite, 1)
        switch partition {
        case .iid:
            try self.requireEnough(data.count, sites: sites, minimum: minimum)
            return self.iid(count: data.count, sites: sites, seed: seed)
        case .dirichlet(let alpha):
            guard alpha > 0, alpha.isFinite else {
                throw DataError.invalidPartition(detail: "Dirichlet alpha must be positive and finite, got \(alpha)")
            }
            try self.requireEnough(data.count, sites: sites, minimum: minimum)
            return self.dirichlet(data, sites: sites, alpha: alpha, seed: seed, minimum: minimum)
        case .byColumn(let column):
            return try self.byFeatureColumn(data, column: column, sites: sites, minimum: minimum)
        case .prevalence(let positive, let shares):
            return try self.prevalence(data, positive: positive, shares: shares, seed: seed, minimum: minimum)
        case .ranges(let column, let mix):
            return try self.ranges(data, column: column, mix: mix, sites: sites, seed: seed, minimum: minimum)
        }
    }

    /// Equal-sized sites with `shares[site]` of class `positive` each: the largest size n
    /// with Σ shares·n positives and Σ (1 − shares)·n others available, drawn at random.
    private static func prevalence(
        _ data: Dataset,
        positive: String,
        shares: [Double],
        seed: UInt64,
        minimum: Int
    ) throws -> [[Int]] {
        guard let target = data.classNames.firstIndex(of: positive) else {
            throw DataError.invalidPartition(
                detail: "prevalence names class '\(positive)', which is not one of \(data.classNames.joined(separator: ", "))"
            )
        }
        guard !shares.isEmpty, shares.allSatisfy({ (0...1).contains($0) }) else {
            throw DataError.invalidPartition(detail: "prevalence shares must each be in [0, 1], one per site")
        }
        var generator = SeededGenerator(seed: seed)
        var positives = data.labels.indices.filter { data.labels[$0] == target }
        var others = data.labels.indices.filter { data.labels[$0] != target }
        generator.shuffle(&positives)
        generator.shuffle(&others)
        let positiveShare = shares.reduce(0, +)
        let otherShare = Double(shares.count) - positiveShare
        let size = Int(
            Swift.min(
                positiveShare > 0 ? Double(positives.count) / positiveShare : .infinity,
                otherShare > 0 ? Double(others.count) / otherShare : .infinity
            )
        )
        guard size >= minimum else {
            throw DataError.tooFewExamples(
                path: "partition",
                detail: "the prevalences \(shares) leave \(size) examples per site, fewer than \(minimum)"
            )
        }
        var parts: [[Int]] = []
        var (p, o) = (0, 0)
        for share in shares {
            let take = Int((share * Double(size)).rounded())
            var part = Array(positives[p..<Swift.min(p + take, positives.count)])
            p += part.count
            let rest = Swift.min(size - part.count, others.count - o)
            part += others[o..<(o + rest)]
            o += rest
            parts.append(part.sorted())
        }
        return parts
    }

    /// Natural sites from the raw values of one column, one value per example: one site per
    /// distinct value, ordered numerically when every value is a number and by string
    /// otherwise (so sites "2" and "10" come in that order), each site's indices ascending.
    package static func split(byValues values: [String]) -> (names: [String], indices: [[Int]]) {
        var groups: [String: [Int]] = [:]
        for (index, value) in values.enumerated() { groups[value, default: []].append(index) }
        let numbers = groups.keys.map { ($0, Double($0)) }
        let names: [String]
        if numbers.allSatisfy({ $0.1 != nil }) {
            // Ties ("1" and "1.0" are different sites with the same number) fall back to the string.
            names = numbers.sorted { ($0.1!, $0.0) < ($1.1!, $1.0) }.map(\.0)
        } else {
            names = groups.keys.sorted()
        }
        return (names, names.map { groups[$0]! })
    }

    /// Number of examples of each class at each site [sites][classes], for reports.
    package static func labelCounts(_ data: Dataset, _ parts: [[Int]]) -> [[Int]] {
        parts.map { part in
            var counts = [Int](repeating: 0, count: data.classNames.count)
            for index in part { counts[data.labels[index]] += 1 }
            return counts
        }
    }

    /// Shuffled indices dealt round-robin, so site sizes differ by at most one.
    private static func iid(count: Int, sites: Int, seed: UInt64) -> [[Int]] {
        var generator = SeededGenerator(seed: seed)
        var order = Array(0..<count)
        generator.shuffle(&order)
        var parts = [[Int]](repeating: [], count: sites)
        for (position, index) in order.enumerated() { parts[position % sites].append(index) }
        return parts
    }

    private static func byFeatureColumn(
        _ data: Dataset,
        column: String,
        sites: Int,
        minimum: Int
    ) throws -> [[Int]] {
        guard let feature = data.featureNames.firstIndex(of: column) else {
            throw DataError.invalidPartition(
                detail: "no feature column named '\(column)' "
                    + "(features: \(data.featureNames.joined(separator: ", "))); "
                    + "for a column that is not a feature, split its raw CSV values with Partitioner.split(byValues:)"
            )
        }
        let values = (0..<data.count).map { String(describing: data.features[$0, feature]) }
        let (names, parts) = self.split(byValues: values)
        guard names.count == sites else {
            throw DataError.invalidPartition(
                detail: "column '\(column)' has \(names.count) distinct values, so \(names.count) sites, "
                    + "but \(sites) sites were asked for"
            )
        }
        if let small = parts.firstIndex(where: { $0.count < minimum }) {
            throw DataError.tooFewExamples(
                path: "partition",
                detail: "site '\(names[small])' (column '\(column)') has \(parts[small].count) examples; "
                    + "each site needs at least \(minimum)"
            )
        }
        return parts
    }

    private static func requireEnough(_ count: Int, sites: Int, minimum: Int) throws {
        guard count >= sites * minimum else {
            throw DataError.tooFewExamples(
                path: "partition",
                detail: "\(count) examples cannot give \(sites) sites at least \(minimum) each "
                    + "(needs \(sites * minimum)); use fewer sites or more data"
            )
        }
    }
}
