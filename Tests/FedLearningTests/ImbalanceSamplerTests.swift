import FedData
import FedTensor
import Foundation
import Testing

@testable import FedLearning

/// Over-sampling, under-sampling and SMOTE: the counts they produce, that synthetic rows lie
/// between two examples of their class, that they are seeded, and that the trainer applies
/// them to the training split only.
struct ImbalanceSamplerTests {
    /// 100 examples: 90 of class 0, 10 of class 1, two numeric features; class 1 lies near (3, 3).
    static func data() -> Dataset {
        var generator = SeededGenerator(seed: 5)
        var scalars: [Float] = []
        var labels: [Int] = []
        for index in 0..<100 {
            let positive = index % 10 == 3
            let centre: Float = positive ? 3 : 0
            scalars += [centre + generator.nextNormal() * 0.5, centre + generator.nextNormal() * 0.5]
            labels.append(positive ? 1 : 0)
        }
        return Dataset(
            features: Tensor(shape: [100, 2], scalars: scalars),
            labels: labels,
            featureNames: ["a", "b"],
            classNames: ["0", "1"]
        )
    }

    static func counts(_ labels: [Int], classes: Int = 2) -> [Int] {
        labels.reduce(into: [Int](repeating: 0, count: classes)) { $0[$1] += 1 }
    }

    @Test func targetCountsFollowTheRatio() {
        #expect(ImbalanceSampler.targetCounts([90, 10], sampling: .oversample, ratio: 1) == [90, 90])
        #expect(ImbalanceSampler.targetCounts([90, 10], sampling: .smote, ratio: 0.5) == [90, 45])
        #expect(ImbalanceSampler.targetCounts([90, 10], sampling: .undersample, ratio: 1) == [10, 10])
        #expect(ImbalanceSampler.targetCounts([90, 10], sampling: .undersample, ratio: 0.25) == [40, 10])
        #expect(ImbalanceSampler.targetCounts([90, 0, 10], sampling: .oversample, ratio: 1) == [90, 0, 90])
        #expect(ImbalanceSampler.targetCounts([90, 60, 10], sampling: .undersample, ratio: 0.2) == [50, 50, 10])
        #expect(ImbalanceSampler.targetCounts([90, 10], sampling: .none, ratio: 1) == [90, 10])
    }

    @Test func overAndUnderSamplingGiveTheTargetCountsFromTheRightClasses() {
        let labels = Self.data().labels
        var generator = SeededGenerator(seed: 1)
        let over = ImbalanceSampler.indices(
            labels: labels,
            classes: 2,
            sampling: .oversample,
            ratio: 1,
            generator: &generator
        )
        #expect(Self.counts(over.map { labels[$0] }) == [90, 90])
        // Every original example is kept once; the repeats are all of class 1.
        #expect(Set(over) == Set(0..<100) && over.count == 180)

        let under = ImbalanceSampler.indices(
            labels: labels,
            classes: 2,
            sampling: .undersample,
            ratio: 0.5,
            generator: &generator
        )
        #expect(Self.counts(under.map { labels[$0] }) == [20, 10])
        #expect(Set(under).count == 30, "under-sampling draws distinct examples")

        var again = SeededGenerator(seed: 1)
        let repeated = ImbalanceSampler.indices(
            labels: labels,
            classes: 2,
            sampling: .oversample,
            ratio: 1,
            generator: &again
        )
        #expect(repeated == over, "seeded")
    }

    @Test func smoteInterpolatesBetweenNeighboursOfTheSameClass() {
        let data = Self.data()
        var generator = SeededGenerator(seed: 2)
        let out = ImbalanceSampler.smote(data, ratio: 1, neighbors: 3, generator: &generator)

        #expect(Self.counts(out.labels) == [90, 90])
        #expect(out.features.scalars.prefix(200) == data.features.scalars[...], "the real rows come first, unchanged")
        let minority = (0..<100).filter { data.labels[$0] == 1 }
        let neighbours = ImbalanceSampler.nearest(minority, in: data.features, k: 3)
        func row(_ d: Dataset, _ i: Int) -> [Float] { Array(d.features.scalars[(2 * i)..<(2 * i + 2)]) }
        // Each synthetic row lies on a segment from a class-1 example to one of its 3 neighbours.
        for synthetic in 100..<180 {
            let point = row(out, synthetic)
            let onASegment = minority.indices.contains { m in
                let a = row(data, minority[m])
                return neighbours[m].contains { n in
                    let b = row(data, n)
                    let u = (point[0] - a[0]) / (b[0] - a[0])
                    return u >= -1e-4 && u <= 1 + 1e-4 && abs(a[1] + u * (b[1] - a[1]) - point[1]) < 1e-4
                }
            }
            #expect(onASegment, "row \(synthetic) \(point)")
        }
        var again = SeededGenerator(seed: 2)
        #expect(ImbalanceSampler.smote(data, ratio: 1, neighbors: 3, generator: &again).features == out.features)
    }

    @Test func nearestNeighboursAreFoundWithinTheGroup() {
        let features = Tensor(shape: [5, 1], scalars: [0, 10, 1, 3, 100])
        #expect(ImbalanceSampler.nearest([0, 2, 3, 4], in: features, k: 2) == [[2, 3], [0, 3], [2, 0], [3, 2]])
    }

    @Test func aClassOfOneExampleIsRepeated() {
        let data = Dataset(
            features: Tensor(shape: [4, 1], scalars: [0, 1, 2, 7]),
            labels: [0, 0, 0, 1],
            featureNames: ["x"],
            classNames: ["0", "1"]
        )
        var generator = SeededGenerator(seed: 3)
        let out = ImbalanceSampler.smote(data, ratio: 1, neighbors: 5, generator: &generator)
        #expect(out.labels == [0, 0, 0, 1, 1, 1] && out.features.scalars == [0, 1, 2, 7, 7, 7])
    }

    /// The trainer re-samples the training split only: it trains on the re-sampled count, and
    /// the validation accuracy it records is the model's accuracy on the whole validation split.
    @Test(arguments: [TrainingConfiguration.Sampling.oversample, .undersample, .smote])
    func theTrainerResamplesOnlyTheTrainingSplit(sampling: TrainingConfiguration.Sampling) throws {
        let data = Self.data()
        let train = data.subset(Array(0..<70))
        let validation = data.subset(Array(70..<100))
        var configuration = TrainingConfiguration()
        configuration.epochs = 2
        configuration.sampling = sampling
        configuration.samplingRatio = 0.5
        let model = Classifier(architecture: ModelArchitecture(inputs: 2, hidden: [], classes: 2), seed: 1)
        let history = try Trainer(configuration: configuration).fit(model, train: train, validation: validation)

        let expected = ImbalanceSampler.targetCounts(train.classCounts, sampling: sampling, ratio: 0.5).reduce(0, +)
        #expect(history.examples == expected && expected != train.count)
        #expect(history.epochs.last?.validationAccuracy == model.metrics(validation).accuracy)
        #expect(validation.count == 30)
    }

    @Test func smoteIsRefusedForExamplesWithoutNumericFeatures() {
        #expect(throws: TrainingError.self) {
            var generator = SeededGenerator(seed: 0)
            var configuration = TrainingConfiguration()
            configuration.sampling = .smote
            _ = try ImbalanceSampler.prepare(
                TokenLike(labels: [0, 1]),
                classes: 2,
                configuration: configuration,
                generator: &generator
            )
        }
    }

    struct TokenLike: LabeledExamples {
        var labels: [Int]
        var count: Int { self.labels.count }
        var classNames: [String] { ["0", "1"] }
    }
}
