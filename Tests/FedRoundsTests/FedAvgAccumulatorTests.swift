import FedTensor
import OrderedCollections
import Testing

@testable import FedRounds

struct FedAvgAccumulatorTests {
    static let spec = TensorSpec([(name: "w", shape: [2]), (name: "b", shape: [1])])

    static func update(_ w: [Float], _ b: Float) -> OrderedDictionary<String, Tensor> {
        ["w": Tensor(shape: [2], scalars: w), "b": Tensor(shape: [1], scalars: [b])]
    }

    @Test func averageIsWeightedByExamples() throws {
        var sum = FedAvgAccumulator(spec: Self.spec, clipNorm: nil)

        _ = try sum.add(Self.update([1, 2], 3), examples: 1)
        _ = try sum.add(Self.update([4, -2], 0), examples: 3)
        let average = try #require(sum.average())

        // (1·[1,2,3] + 3·[4,−2,0]) / 4 = [13/4, −4/4, 3/4]
        #expect(average["w"]?.scalars == [3.25, -1])
        #expect(average["b"]?.scalars == [0.75])
        #expect(sum.totalExamples == 4)
        #expect(sum.contributions == 2)
    }

    /// Five sites' updates of very different sizes and signs, folded in all 120 orders:
    /// every order gives the same bits (a float32 running sum gave a 1-ulp difference
    /// between two runs of the same federation whose updates arrived in other orders).
    @Test func everyArrivalOrderGivesTheSameBits() throws {
        var generator = SeededGenerator(seed: 5)
        let spec = TensorSpec([(name: "w", shape: [257])])
        let updates: [(OrderedDictionary<String, Tensor>, Int)] = (0..<5).map { site in
            let scale = Float([1e-6, 3e-3, 1, 70, 1e4][site])
            let values = (0..<257).map { _ in scale * generator.nextNormal() }
            return (["w": Tensor(shape: [257], scalars: values)], 10 + 97 * site)
        }
        func permutations(_ items: [Int]) -> [[Int]] {
            items.count <= 1
                ? [items] : items.flatMap { item in permutations(items.filter { $0 != item }).map { [item] + $0 } }
        }
        var results: Set<[Float]> = []
        for order in permutations(Array(0..<5)) {
            var sum = FedAvgAccumulator(spec: spec, clipNorm: nil)
            for index in order { _ = try sum.add(updates[index].0, examples: updates[index].1) }
            results.insert(try #require(sum.average())["w"]!.scalars)
        }
        #expect(results.count == 1)
        // And the value is the example-weighted mean, to float precision.
        let exact = (0..<257).map { i in
            updates.reduce(0.0) { $0 + Double($1.1) * Double($1.0["w"]!.scalars[i]) }
                / Double(updates.reduce(0) { $0 + $1.1 })
        }
        #expect(zip(results.first!, exact).allSatisfy { abs(Double($0) - $1) <= 1e-6 * max(1, abs($1)) })
    }

    @Test func clippingScalesAnUpdateToTheBoundOverAllItsTensors() throws {
        var sum = FedAvgAccumulator(spec: Self.spec, clipNorm: 1)

        // ‖[3, 0, 4]‖ = 5 > 1: scaled by 1/5. ‖[0.3, 0.4, 0]‖ = 0.5 ≤ 1: kept.
        let clipped = try sum.add(Self.update([3, 0], 4), examples: 2)
        let kept = try sum.add(Self.update([0.3, 0.4], 0), examples: 2)
        let average = try #require(sum.average())

        #expect(clipped == .init(norm: 5, scale: 0.2))
        #expect(kept == .init(norm: 0.5, scale: 1))
        // (2·[0.6, 0, 0.8] + 2·[0.3, 0.4, 0]) / 4
        #expect(average["w"]!.maxAbsDifference(Tensor(shape: [2], scalars: [0.45, 0.2])) < 1e-6)
        #expect(abs(average["b"]!.scalars[0] - 0.4) < 1e-6)
    }

    @Test func zeroUpdateIsNotDividedByItsZeroNorm() throws {
        var sum = FedAvgAccumulator(spec: Self.spec, clipNorm: 1)

        let folded = try sum.add(Self.update([0, 0], 0), examples: 5)

        #expect(folded == .init(norm: 0, scale: 1))
        #expect(sum.average()?["w"]?.scalars == [0, 0])
    }

    static let badUpdates: [(OrderedDictionary<String, Tensor>, Int, UpdateRejection)] = [
        (["w": Tensor(shape: [2], scalars: [.nan, 0]), "b": Tensor(shape: [1])], 1, .nonFinite(tensor: "w")),
        (["w": Tensor(shape: [2], scalars: [.infinity, 0]), "b": Tensor(shape: [1])], 1, .nonFinite(tensor: "w")),
        (["w": Tensor(shape: [3]), "b": Tensor(shape: [1])], 1, .wrongShape(tensor: "w", expected: [2], found: [3])),
        (["w": Tensor(shape: [2])], 1, .missingTensor("b")),
        (["w": Tensor(shape: [2]), "b": Tensor(shape: [1]), "x": Tensor(shape: [1])], 1, .unexpectedTensor("x")),
        (["w": Tensor(shape: [2]), "b": Tensor(shape: [1])], 0, .invalidExampleCount(0)),
    ]

    @Test(arguments: badUpdates)
    func rejectedUpdateLeavesTheSumUntouched(
        update: OrderedDictionary<String, Tensor>,
        examples: Int,
        reason: UpdateRejection
    ) throws {
        var sum = FedAvgAccumulator(spec: Self.spec, clipNorm: 10)
        _ = try sum.add(Self.update([1, 1], 1), examples: 2)
        let before = sum.average()

        #expect(throws: reason) { try sum.add(update, examples: examples) }

        #expect(sum.average() == before)
        #expect(sum.contributions == 1)
    }

    @Test func applyMovesTheGlobalModelByTheServerLearningRate() {
        var global: OrderedDictionary<String, Tensor> = [
            "w": Tensor(shape: [2], scalars: [1, 1]), "frozen": Tensor(scalar: 7),
        ]

        FedAvgAccumulator.apply(["w": Tensor(shape: [2], scalars: [2, -4])], to: &global, serverLearningRate: 0.5)

        #expect(global["w"]?.scalars == [2, -1])
        #expect(global["frozen"]?.scalars == [7])
    }

    @Test func longOddSizedUpdatesMatchAFloat64Reference() throws {
        // 1003 and 37 values: neither a whole number of 16-wide steps.
        let spec = TensorSpec([(name: "w", shape: [1003]), (name: "b", shape: [37])])
        var sum = FedAvgAccumulator(spec: spec, clipNorm: 3)
        var generator = SeededGenerator(seed: 7)
        let updates = (0..<4).map { _ -> OrderedDictionary<String, Tensor> in
            let w = Tensor.normal(shape: [1003], std: 0.1, using: &generator)
            return ["w": w, "b": .normal(shape: [37], std: 0.1, using: &generator)]
        }
        let examples = [5, 1, 20, 3]
        var expected = [Double](repeating: 0, count: 1040)

        for (update, count) in zip(updates, examples) {
            let values = update["w"]!.scalars + update["b"]!.scalars
            let norm = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            let folded = try sum.add(update, examples: count)
            #expect(abs(Double(folded.norm) - norm) < 1e-5 * norm)
            let scale = norm > 3 ? 3 / norm : 1
            for (i, v) in values.enumerated() { expected[i] += Double(count) * scale * Double(v) }
        }
        let average = try #require(sum.average())

        let found = average["w"]!.scalars + average["b"]!.scalars
        let worst = zip(found, expected).map { abs(Double($0) - $1 / 29) }.max()!
        #expect(worst < 1e-6)
        #expect(average["w"]?.shape == [1003])
    }

    @Test func memoryHeldDoesNotGrowWithTheNumberOfSites() throws {
        let spec = TensorSpec([(name: "w", shape: [1000])])
        var sum = FedAvgAccumulator(spec: spec, clipNorm: 1)
        let before = sum.bytesHeld
        var generator = SeededGenerator(seed: 1)

        for _ in 0..<200 {
            _ = try sum.add(["w": .normal(shape: [1000], std: 1, using: &generator)], examples: 10)
        }

        #expect(before == 16_000, "one exact double-double per weight")
        #expect(sum.bytesHeld == before)
    }
}
