import FedSupport
import FedTensor
import Foundation
import Testing

@testable import FedRounds

struct RobustAggregationTests {
    /// Runs `rule` on `rows` held in memory.
    static func aggregate(_ rows: [[Float]], weights: [Double]? = nil, rule: RobustRule) throws -> RobustResult {
        try InMemoryUpdateStore(rows: rows).withRows { view in
            try RobustAggregation.aggregate(view, weights: weights ?? rows.map { _ in 1 }, rule: rule)
        }
    }

    static func distance(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    /// 8 honest updates near a point p (noise 0.01) and 2 hostile ones at −10·p.
    static func poisonedRound(length: Int = 20) -> (rows: [[Float]], honestMean: [Float]) {
        var generator = SeededGenerator(seed: 14)
        let point = (0..<length).map { _ in generator.nextNormal() }
        var rows = (0..<8).map { _ in point.map { $0 + 0.01 * generator.nextNormal() } }
        let honestMean = (0..<length).map { c in rows.reduce(0) { $0 + $1[c] } / 8 }
        rows.insert(point.map { -10 * $0 }, at: 3)
        rows.append(point.map { -10 * $0 })
        return (rows, honestMean)
    }

    @Test(arguments: [
        RobustRule.median, .trimmedMean(beta: 0.2), .krum(f: 2), .multiKrum(f: 2, m: 6),
    ])
    func outlierResistantRulesLandNearTheHonestMean(rule: RobustRule) throws {
        let (rows, honestMean) = Self.poisonedRound()
        let plainMean = (0..<honestMean.count).map { c in rows.reduce(0) { $0 + $1[c] } / Float(rows.count) }

        let result = try Self.aggregate(rows, rule: rule)

        // The honest updates lie within about 0.01·√20 ≈ 0.045 of their mean; p's norm is about 4.5.
        #expect(Self.distance(result.average, honestMean) < 0.05)
        #expect(Self.distance(plainMean, honestMean) > 5)
        if let selected = result.selected { #expect(!selected.contains(3) && !selected.contains(9)) }
    }

    @Test func normBoundingLimitsWhatTheHostileUpdatesMoveTheAverage() throws {
        let (rows, honestMean) = Self.poisonedRound()
        let plainMean = (0..<honestMean.count).map { c in rows.reduce(0) { $0 + $1[c] } / Float(rows.count) }

        let result = try Self.aggregate(rows, rule: .normBounding(multiple: 1))

        // Each hostile update is cut to the median norm ‖p‖, so it pulls the mean by at most
        // 2·2‖p‖/10 rather than 2·11‖p‖/10.
        let pNorm = Self.distance(honestMean, honestMean.map { _ in 0 })
        #expect(Self.distance(result.average, honestMean) < 0.45 * pNorm)
        #expect(Self.distance(plainMean, honestMean) > 2 * pNorm)
        let scales = try #require(result.scales)
        #expect(scales[3] < 0.11 && scales[9] < 0.11)
        #expect(scales.enumerated().filter { $0.element < 1 }.count <= 5)
    }

    @Test func medianOfAnOddAndAnEvenCount() throws {
        let odd = try Self.aggregate([[1, 5], [3, -1], [2, 10]], rule: .median)
        let even = try Self.aggregate([[1], [4], [2], [10]], rule: .median)

        #expect(odd.average == [2, 5])
        // (2 + 4) / 2
        #expect(even.average == [3])
    }

    @Test func trimmedMeanDropsFloorOfBetaTimesNAtEachEnd() throws {
        // β = 0.2 of 5 values drops one at each end: (2 + 3 + 4) / 3.
        let trimmed = try Self.aggregate([[100], [3], [1], [4], [2]], rule: .trimmedMean(beta: 0.2))
        // β = 0.1 of 9 values drops none: the plain mean.
        let untrimmed = try Self.aggregate((1...9).map { [Float($0)] }, rule: .trimmedMean(beta: 0.1))

        #expect(trimmed.average == [3])
        #expect(untrimmed.average == [5])
        #expect(RobustAggregation.trimCount(beta: 0.1, rows: 10) == 1)
        #expect(RobustAggregation.trimCount(beta: 0.1, rows: 19) == 1)
        #expect(RobustAggregation.trimCount(beta: 0.29, rows: 100) == 29)
        #expect(RobustAggregation.trimCount(beta: 0, rows: 50) == 0)
    }

    /// Five points in 2-D, f = 1, so each score sums the n − f − 2 = 2 smallest squared distances:
    /// a(0,0): 1 + 4 = 5;  b(1,0): 1 + 5 = 6;  c(0,2): 4 + 4 = 8;  d(2,2): 4 + 5 = 9;  e(10,0): 68 + 81 = 149.
    static let fivePoints: [[Float]] = [[0, 0], [1, 0], [0, 2], [2, 2], [10, 0]]

    @Test func krumPicksThePointWithTheSmallestScoreByHand() throws {
        let result = try Self.aggregate(Self.fivePoints, rule: .krum(f: 1))
        let distances = InMemoryUpdateStore(rows: Self.fivePoints).withRows { RobustAggregation.squaredDistances($0) }

        #expect(result.selected == [0])
        #expect(result.average == [0, 0])
        #expect(distances[0 * 5 + 4] == 100)
        #expect(distances[3 * 5 + 1] == 5)
        #expect(distances[2 * 5 + 2] == 0)
    }

    @Test func multiKrumAveragesTheBestScoredByExamples() throws {
        let result = try Self.aggregate(Self.fivePoints, weights: [1, 1, 2, 1, 1], rule: .multiKrum(f: 1, m: 3))

        // (a + b + 2·c) / 4 with a, b, c the three best scores.
        #expect(result.selected == [0, 1, 2])
        #expect(result.average == [0.25, 1])
    }

    @Test func medianAndTrimmedMeanIgnoreWeights() throws {
        let rows: [[Float]] = [[1], [2], [3], [4], [50]]

        let median = try Self.aggregate(rows, weights: [100, 1, 1, 1, 1], rule: .median)
        let trimmed = try Self.aggregate(rows, weights: [1, 1, 1, 1, 100], rule: .trimmedMean(beta: 0.2))

        #expect(median.average == [3])
        #expect(trimmed.average == [3])
    }

    @Test func normBoundingScalesLongUpdatesToTheMedianNormThenWeighs() throws {
        // Norms 5, 1, 2: the median 2 bounds [3, 4] to [1.2, 1.6].
        let result = try Self.aggregate(
            [[3, 4], [0, 1], [0, 2]],
            weights: [1, 2, 1],
            rule: .normBounding(multiple: 1)
        )

        // (1·[1.2, 1.6] + 2·[0, 1] + 1·[0, 2]) / 4
        #expect(result.scales == [0.4, 1, 1])
        #expect(Self.distance(result.average, [0.3, 1.4]) < 1e-6)
    }

    @Test func rowOrderDoesNotChangeAnyBit() throws {
        var generator = SeededGenerator(seed: 3)
        let rows = (0..<7).map { row in (0..<300).map { _ in Float(row + 1) * generator.nextNormal() } }
        let weights: [Double] = [3, 1, 4, 1, 5, 9, 2]
        let order = [4, 0, 6, 2, 5, 1, 3]

        for rule in [RobustRule.median, .trimmedMean(beta: 0.3), .multiKrum(f: 1, m: 4), .normBounding(multiple: 1.5)] {
            let forward = try Self.aggregate(rows, weights: weights, rule: rule)
            let shuffled = try Self.aggregate(order.map { rows[$0] }, weights: order.map { weights[$0] }, rule: rule)
            #expect(forward.average == shuffled.average, "\(rule.name)")
        }
    }

    /// 12,345 coordinates span several blocks (and workers); each rule matches a direct
    /// computation on every coordinate.
    @Test func blocksCoverEveryCoordinateOnce() throws {
        var generator = SeededGenerator(seed: 8)
        let length = 12_345
        let rows = (0..<6).map { _ in (0..<length).map { _ in generator.nextNormal() } }

        let median = try Self.aggregate(rows, rule: .median)
        let trimmed = try Self.aggregate(rows, rule: .trimmedMean(beta: 0.2))
        let (distances, norms) = InMemoryUpdateStore(rows: rows).withRows {
            (RobustAggregation.squaredDistances($0), RobustAggregation.norms($0))
        }

        for c in 0..<length {
            let sorted = rows.map { $0[c] }.sorted()
            #expect(median.average[c] == Float((Double(sorted[2]) + Double(sorted[3])) / 2))
            #expect(abs(trimmed.average[c] - (sorted[1] + sorted[2] + sorted[3] + sorted[4]) / 4) < 1e-6)
        }
        for i in 0..<6 {
            let norm = rows[i].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norms[i] - norm) < 1e-4 * norm)
            for j in 0..<6 {
                let direct = zip(rows[i], rows[j]).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
                #expect(abs(distances[i * 6 + j] - direct) <= 1e-4 * max(direct, 1))
            }
        }
    }

    @Test func krumRefusesARoundWithFewerThanTwoFPlusThreeUpdates() throws {
        let rows = (0..<6).map { [Float($0)] }

        #expect(
            throws: RobustRuleError.tooFewUpdates(
                rule: "Krum with f = 3",
                needed: 9,
                found: 6,
                hint: "lower strategy.byzantine_sites or sample more sites"
            )
        ) { try Self.aggregate(rows, rule: .krum(f: 3)) }
        let error = RobustRuleError.tooFewUpdates(
            rule: "Krum with f = 3",
            needed: 9,
            found: 6,
            hint: "lower strategy.byzantine_sites or sample more sites"
        )
        #expect(
            error.description
                == "Krum with f = 3 needs at least 9 updates, the round has 6: lower strategy.byzantine_sites or sample more sites"
        )
        // Multi-Krum also needs m ≤ n − f.
        #expect(throws: RobustRuleError.self) { try Self.aggregate(Self.fivePoints, rule: .multiKrum(f: 1, m: 5)) }
        #expect(throws: RobustRuleError.self) { try Self.aggregate([], rule: .median) }
    }

    @Test func settingsNameTheRuleAndRefuseBadValues() throws {
        #expect(try RobustRule.fromSettings(aggregation: nil) == nil)
        #expect(try RobustRule.fromSettings(aggregation: "mean") == nil)
        #expect(try RobustRule.fromSettings(aggregation: "trimmed_mean", trimFraction: 0.1) == .trimmedMean(beta: 0.1))
        #expect(
            try RobustRule.fromSettings(aggregation: "multi_krum", byzantineSites: 2, krumSelected: 5)
                == .multiKrum(f: 2, m: 5)
        )
        #expect(
            try RobustRule.fromSettings(aggregation: "norm_bounding", normBoundMultiple: 2)
                == .normBounding(multiple: 2)
        )

        #expect(throws: RobustRuleError.unknownAggregation("bulyan")) {
            try RobustRule.fromSettings(aggregation: "bulyan")
        }
        #expect(
            RobustRuleError.unknownAggregation("bulyan").description
                == "strategy.aggregation is 'bulyan'; use one of mean, median, trimmed_mean, krum, multi_krum, norm_bounding"
        )
        #expect(
            throws: RobustRuleError.outOfRange(
                key: "strategy.trim_fraction",
                value: "0.5",
                allowed: "at least 0 and below 0.5"
            )
        ) { try RobustRule.fromSettings(aggregation: "trimmed_mean", trimFraction: 0.5) }
        #expect(throws: RobustRuleError.self) { try RobustRule.fromSettings(aggregation: "krum") }
        #expect(throws: RobustRuleError.unusedSetting(key: "strategy.trim_fraction", aggregation: "krum")) {
            try RobustRule.fromSettings(aggregation: "krum", trimFraction: 0.1, byzantineSites: 1)
        }
        #expect(throws: RobustRuleError.self) { try RobustRule.krum(f: -1).validate() }
        #expect(throws: RobustRuleError.self) { try RobustRule.multiKrum(f: 1, m: 0).validate() }
        #expect(throws: RobustRuleError.self) { try RobustRule.normBounding(multiple: 0).validate() }
        #expect(throws: RobustRuleError.self) { try RobustRule.trimmedMean(beta: .nan).validate() }
    }

    /// Times each rule on n updates of a million values in a `MappedUpdateStore` (no assertions
    /// on time). Run with FEDTUNE_ROBUST_TIMING=1.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FEDTUNE_ROBUST_TIMING"] != nil))
    func timing() throws {
        let length = 1_000_000
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fedtune-timing-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for n in [10, 50] {
            var generator = SeededGenerator(seed: UInt64(n))
            let store = try MappedUpdateStore(folder: folder, name: "timing-\(n)", length: length)
            defer { store.remove() }
            var row = [Float](repeating: 0, count: length)
            for _ in 0..<n {
                for c in 0..<length { row[c] = generator.nextNormal() }
                try store.append(row)
            }
            let rules: [RobustRule] = [
                .median, .trimmedMean(beta: 0.1), .krum(f: 2), .multiKrum(f: 2, m: n - 2), .normBounding(multiple: 1),
            ]
            for rule in rules {
                let clock = ContinuousClock()
                let start = clock.now
                let result = try store.withRows {
                    try RobustAggregation.aggregate($0, weights: Array(repeating: 1, count: n), rule: rule)
                }
                let elapsed = clock.now - start
                #expect(result.average.count == length)
                print("robust timing: n = \(n), L = \(length), \(rule.name): \(elapsed)")
            }
        }
    }
}
