import FedData
import FedTensor
import Foundation

/// Which examples go where, decided on indices before any example is built or tokenised
/// (tokenising all 38k tweets to use 1,500 of them would take longer than the run): the
/// global test set, the pretraining share, and each site's examples split into what it
/// trains on and what it holds out. Every draw is seeded from the scenario's seed.
struct DataPlan {
    /// Indices of the global held-out test set, stratified by class.
    var test: [Int]
    /// Indices of the public share a tabular model is pretrained on (empty when none).
    var pretrain: [Int]
    var siteNames: [String]
    /// Each site's examples in the order its data file lists them.
    var sites: [[Int]]
    /// Each site's training examples (a subset of `sites`).
    var siteTrain: [[Int]]
    /// Each site's held-out examples, on which the global model is scored per site.
    var siteHeldOut: [[Int]]

    /// The seed a site splits its own file with, here and in a `fedtune client` process
    /// (`--seed`), so both hold out the same examples.
    static func siteSplitSeed(_ scenario: Scenario) -> UInt64 { scenario.seed &+ 404 }

    /// - Parameters:
    ///   - labels: every example's class index.
    ///   - groups: each example's value of the partition column (for `partition: column`).
    ///   - pretrainClasses: the classes the pretraining share may hold (nil: all).
    ///   - pretrainExamples: the size of the pretraining share (nil: none).
    init(
        labels: [Int],
        classCount: Int,
        groups: [String]?,
        scenario: Scenario,
        pretrainClasses: Set<Int>?,
        pretrainExamples: Int?,
        classNames: [String]? = nil,
        ranges: RangeValues? = nil
    ) throws {
        func invalid(_ detail: String) -> ScenarioError { .invalid(path: scenario.name, detail: detail) }
        let count = labels.count
        var fraction = scenario.testFraction
        if let wanted = scenario.testExamples {
            guard wanted < count else {
                throw invalid("test_examples is \(wanted) but the data has only \(count) examples")
            }
            fraction = Double(wanted) / Double(count)
        }
        let parts = StratifiedSplit.indices(
            labels: labels,
            fractions: [1 - fraction, fraction],
            seed: scenario.seed &+ 202
        )
        self.test = parts[1]
        var pool = parts[0]

        self.pretrain = []
        if let wanted = pretrainExamples {
            let candidates = pool.filter { pretrainClasses?.contains(labels[$0]) ?? true }
            guard wanted < candidates.count else {
                throw invalid(
                    "pretrain.examples is \(wanted) but only \(candidates.count) examples of the pretraining classes "
                        + "are left after the test set"
                )
            }
            let share = Double(wanted) / Double(candidates.count)
            let chosen = StratifiedSplit.indices(
                labels: candidates.map { labels[$0] },
                fractions: [1 - share, share],
                seed: scenario.seed &+ 505
            )[1]
            self.pretrain = chosen.map { candidates[$0] }
            let taken = Set(self.pretrain)
            pool = pool.filter { !taken.contains($0) }
        }

        let positions: [[Int]]
        if case .byColumn(let column) = scenario.partition {
            guard let groups else { throw invalid("partition column '\(column)' needs data with that column") }
            let split = Partitioner.split(byValues: pool.map { groups[$0] })
            if scenario.sites > 0, split.names.count != scenario.sites {
                throw invalid(
                    "column '\(column)' has \(split.names.count) values, so \(split.names.count) sites, "
                        + "but sites is \(scenario.sites)"
                )
            }
            self.siteNames = split.names
            positions = split.indices
        } else if case .ranges(let column, let mix) = scenario.partition {
            guard let ranges else { throw invalid("partition ranges on '\(column)' needs data with that column") }
            positions = try ranges.split(pool, scenario: scenario, mix: mix)
            self.siteNames = (1...positions.count).map { String(format: "site-%03d", $0) }
        } else {
            // The partitioner reads only labels here; the features are a placeholder column.
            let labelsOnly = Dataset(
                features: Tensor(shape: [pool.count, 1]),
                labels: pool.map { labels[$0] },
                featureNames: ["-"],
                classNames: classNames ?? (0..<classCount).map(String.init)
            )
            do {
                positions = try Partitioner.split(
                    labelsOnly,
                    sites: scenario.sites,
                    partition: scenario.partition,
                    seed: scenario.seed &+ 303
                )
            } catch {
                throw invalid("cannot partition \(pool.count) examples: \(error)")
            }
            self.siteNames = (1...positions.count).map { String(format: "site-%03d", $0) }
        }

        var sites = positions.map { $0.map { pool[$0] } }
        if let cap = scenario.maxExamplesPerSite {
            for site in sites.indices where sites[site].count > cap {
                var generator = SeededGenerator(seed: scenario.seed &+ 606 &+ UInt64(site))
                generator.shuffle(&sites[site])
                sites[site] = Array(sites[site].prefix(cap))
            }
        }
        self.sites = sites
        let f = scenario.siteTestFraction
        let seed = Self.siteSplitSeed(scenario)
        let splits = sites.map { site in
            StratifiedSplit.indices(labels: site.map { labels[$0] }, fractions: [1 - f, f], seed: seed).map {
                $0.map { site[$0] }
            }
        }
        self.siteTrain = splits.map { $0[0] }
        self.siteHeldOut = splits.map { $0[1] }
        if let empty = self.siteTrain.firstIndex(where: \.isEmpty) {
            throw invalid("site \(self.siteNames[empty]) has no training examples; use fewer sites or more data")
        }
    }
}
