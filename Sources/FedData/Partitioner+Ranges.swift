import FedTensor

/// How `Partition.ranges` mixes a second column into the periods: each example goes, with
/// probability `share`, to the site of its quantile band of `column` (site k holds band k,
/// the lowest amounts at site 1) instead of the site of its period. With `share` 0 the sites
/// are pure periods; with 1 they are pure amount bands.
package struct RangeMix: Sendable, Equatable, Codable {
    package var column: String
    package var share: Double

    package init(column: String, share: Double) {
        self.column = column
        self.share = share
    }
}

extension Partitioner {
    /// Sites from the numeric values of one column (each example's time, say): the examples
    /// sorted by value (ties by position) and cut into `sites` contiguous runs of equal count
    /// (sizes differ by at most one), site 1 the lowest values. With `mix`, each example
    /// moves with probability `mix.share` to the site of its quantile band of `mixValues`
    /// (drawn from `seed`). Each site's positions come back ascending.
    /// - Throws: `DataError.invalidPartition` for a bad site count, share or a NaN value,
    ///   `DataError.tooFewExamples` when a site would hold fewer than `minimum` examples.
    package static func split(
        byRanges values: [Double],
        sites: Int,
        mix: (values: [Double], share: Double)? = nil,
        seed: UInt64,
        minimum: Int = 1
    ) throws -> [[Int]] {
        guard sites >= 1 else {
            throw DataError.invalidPartition(detail: "\(sites) sites asked for; a federation needs at least 1")
        }
        guard !values.contains(where: \.isNaN) else {
            throw DataError.invalidPartition(detail: "the range column holds a value that is not a number")
        }
        let period = self.quantileBins(values, bins: sites)
        var site = period
        if let mix {
            guard mix.share.isFinite, (0...1).contains(mix.share) else {
                throw DataError.invalidPartition(detail: "mix.share must be in [0, 1], found \(mix.share)")
            }
            guard mix.values.count == values.count, !mix.values.contains(where: \.isNaN) else {
                throw DataError.invalidPartition(
                    detail: "the mix column needs one number per example (\(mix.values.count) for \(values.count))"
                )
            }
            let band = self.quantileBins(mix.values, bins: sites)
            var generator = SeededGenerator(seed: seed)
            for index in site.indices where Double(generator.nextUniform()) < mix.share {
                site[index] = band[index]
            }
        }
        var parts = [[Int]](repeating: [], count: sites)
        for (index, chosen) in site.enumerated() { parts[chosen].append(index) }
        if let small = parts.firstIndex(where: { $0.count < Swift.max(minimum, 1) }) {
            throw DataError.tooFewExamples(
                path: "partition",
                detail: "site \(small + 1) of \(sites) (by ranges) has \(parts[small].count) examples; "
                    + "each site needs at least \(Swift.max(minimum, 1)); use fewer sites or more data"
            )
        }
        return parts
    }

    /// Each value's quantile bin in 0..<bins: the values sorted (ties by position) and cut
    /// into `bins` runs of equal count.
    static func quantileBins(_ values: [Double], bins: Int) -> [Int] {
        let order = values.indices.sorted { (values[$0], $0) < (values[$1], $1) }
        var bin = [Int](repeating: 0, count: values.count)
        for (rank, index) in order.enumerated() { bin[index] = rank * bins / Swift.max(values.count, 1) }
        return bin
    }

    /// `Partition.ranges` on a feature column of `data` (a mix column must be a feature too).
    static func ranges(
        _ data: Dataset,
        column: String,
        mix: RangeMix?,
        sites: Int,
        seed: UInt64,
        minimum: Int
    ) throws -> [[Int]] {
        func values(_ name: String) throws -> [Double] {
            guard let feature = data.featureNames.firstIndex(of: name) else {
                throw DataError.invalidPartition(
                    detail:
                        "no feature column named '\(name)' (features: \(data.featureNames.joined(separator: ", "))); "
                        + "for a column that is not a feature, split its values with Partitioner.split(byRanges:)"
                )
            }
            return (0..<data.count).map { Double(data.features[$0, feature]) }
        }
        return try self.split(
            byRanges: try values(column),
            sites: sites,
            mix: try mix.map { (try values($0.column), $0.share) },
            seed: seed,
            minimum: minimum
        )
    }
}
