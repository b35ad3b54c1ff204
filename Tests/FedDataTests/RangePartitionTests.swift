import FedTensor
import Foundation
import Testing

@testable import FedData

/// `Partition.ranges`: contiguous periods of a numeric column, optionally mixed by a second
/// column's bands (Partitioner+Ranges.swift).
struct RangePartitionTests {
    @Test func cutsTheValuesIntoContiguousRunsOfEqualCount() throws {
        // 103 times, shuffled: the periods must follow the values, not the positions.
        var generator = SeededGenerator(seed: 4)
        var order = Array(0..<103)
        generator.shuffle(&order)
        let times = order.map(Double.init)

        let parts = try Partitioner.split(byRanges: times, sites: 5, seed: 1)

        #expect(parts.count == 5)
        #expect(parts.flatMap { $0 }.sorted() == Array(0..<103))
        let sizes = parts.map(\.count)
        #expect(sizes.max()! - sizes.min()! <= 1)
        for site in 0..<4 {
            // Every time at a site is earlier than every time at the next one.
            let latest = parts[site].map { times[$0] }.max()!
            let earliest = parts[site + 1].map { times[$0] }.min()!
            #expect(latest < earliest)
        }
        #expect(parts.allSatisfy { $0 == $0.sorted() })
    }

    @Test func aMixMovesAboutItsShareToTheSiteOfTheirAmountBand() throws {
        let count = 5_000
        let times = (0..<count).map(Double.init)
        // Amounts unrelated to time: each period holds every amount band alike.
        var generator = SeededGenerator(seed: 9)
        let amounts = (0..<count).map { _ in Double(generator.nextUniform()) * 100 }
        let bands = Partitioner.quantileBins(amounts, bins: 4)
        let periods = Partitioner.quantileBins(times, bins: 4)

        let pure = try Partitioner.split(byRanges: times, sites: 4, seed: 3)
        let mixed = try Partitioner.split(byRanges: times, sites: 4, mix: (amounts, 0.5), seed: 3)

        func bandShare(_ parts: [[Int]], site: Int) -> Double {
            Double(parts[site].filter { bands[$0] == site }.count) / Double(parts[site].count)
        }
        // Pure periods hold a quarter of each band; with half the examples moved to their band's
        // site, that band makes up about (0.5 + 0.5·0.25) / (0.5 + 0.5) = 62.5% of a site.
        for site in 0..<4 {
            #expect(abs(bandShare(pure, site: site) - 0.25) < 0.05)
            #expect(abs(bandShare(mixed, site: site) - 0.625) < 0.05)
        }
        let moved = mixed.enumerated().flatMap { site, part in part.filter { periods[$0] != site } }.count
        // An example moves when the draw says so and its band differs from its period (3 in 4).
        #expect(abs(Double(moved) / Double(count) - 0.375) < 0.03)
        #expect(mixed.flatMap { $0 }.sorted() == Array(0..<count))
        // The same seed gives the same split.
        #expect(try Partitioner.split(byRanges: times, sites: 4, mix: (amounts, 0.5), seed: 3) == mixed)
    }

    @Test func aFeatureColumnOfADatasetCanBeCutToo() throws {
        let features = Tensor(shape: [12, 2], scalars: (0..<12).flatMap { [Float(11 - $0), Float($0 % 2)] })
        let data = Dataset(
            features: features,
            labels: (0..<12).map { $0 % 2 },
            featureNames: ["time", "amount"],
            classNames: ["0", "1"]
        )

        let parts = try Partitioner.split(data, sites: 3, partition: .ranges(column: "time", mix: nil), seed: 1)

        // Time runs backwards through the rows, so the earliest period is the last rows.
        #expect(parts == [[8, 9, 10, 11], [4, 5, 6, 7], [0, 1, 2, 3]])
    }

    @Test func refusesAMissingColumnABadShareAndTooFewExamples() throws {
        let data = Dataset(
            features: Tensor(shape: [4, 1], scalars: [1, 2, 3, 4]),
            labels: [0, 1, 0, 1],
            featureNames: ["amount"],
            classNames: ["0", "1"]
        )
        #expect {
            try Partitioner.split(data, sites: 2, partition: .ranges(column: "time", mix: nil), seed: 1)
        } throws: { error in
            "\(error)".contains("no feature column named 'time'")
        }
        #expect {
            try Partitioner.split(byRanges: [1, 2, 3, 4], sites: 2, mix: ([1, 2, 3, 4], 1.5), seed: 1)
        } throws: { error in
            "\(error)".contains("mix.share must be in [0, 1], found 1.5")
        }
        #expect {
            try Partitioner.split(byRanges: [1, 2, 3], sites: 2, seed: 1, minimum: 2)
        } throws: { error in
            "\(error)".contains("has 1 examples; each site needs at least 2")
        }
        #expect(throws: DataError.self) { try Partitioner.split(byRanges: [1, .nan], sites: 1, seed: 1) }
    }
}
