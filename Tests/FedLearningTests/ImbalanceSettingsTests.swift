import FedData
import FedSupport
import FedTensor
import Foundation
import Testing

@testable import FedLearning

/// The imbalance settings as files and the wire spell them, their ranges, and the decision
/// threshold: chosen on validation data, kept in model.json, used by predict and metrics,
/// and reported by a site's evaluation.
struct ImbalanceSettingsTests {
    static func decode(_ json: String) throws -> TrainingConfiguration {
        try JSONDecoder().decode(TrainingConfiguration.self, from: Data(json.utf8))
    }

    @Test func keysDecodeAndEncodeOnlyWhenSet() throws {
        let settings = try Self.decode(
            #"{"sampling": "smote", "sampling_ratio": 0.5, "smote_neighbors": 3, "loss": "focal", "focal_gamma": 1.5, "#
                + #""threshold_target": "recall_at_fpr", "threshold_fpr": 0.02}"#
        )
        #expect(settings.sampling == .smote && settings.samplingRatio == 0.5 && settings.smoteNeighbors == 3)
        #expect(settings.loss == .focal && settings.focalGamma == 1.5)
        #expect(settings.threshold == .recallAtFalsePositiveRate(0.02))
        #expect(try Self.decode(String(decoding: JSONEncoder().encode(settings), as: UTF8.self)) == settings)

        let plain = String(decoding: try JSONEncoder().encode(TrainingConfiguration()), as: UTF8.self)
        for key in ["sampling", "smote", "loss\"", "focal", "threshold"] { #expect(!plain.contains(key), "\(key)") }
    }

    @Test(arguments: [
        (#"{"sampling": "smote2"}"#, "sampling"),
        (#"{"sampling_ratio": 0}"#, "sampling_ratio must be in (0, 1], found 0.0"),
        (#"{"sampling_ratio": 1.5}"#, "sampling_ratio must be in (0, 1], found 1.5"),
        (#"{"smote_neighbors": 0}"#, "smote_neighbors must be in 1...100, found 0"),
        (#"{"focal_gamma": 11}"#, "focal_gamma must be in 0...10, found 11.0"),
        (#"{"loss": "focal", "label_smoothing": 0.1}"#, "label_smoothing 0.1 cannot be combined with loss: focal"),
        (#"{"threshold_fpr": 1}"#, "threshold_fpr must be in [0, 1), found 1.0"),
        (#"{"threshold_target": "f1"}"#, "threshold_target"),
        (#"{"smoteNeighbors": 3}"#, "'smoteNeighbors' is spelt 'smote_neighbors'"),
    ])
    func outOfRangeValuesAreRefusedByKey(json: String, message: String) {
        let error = #expect(throws: DecodingError.self) { try Self.decode(json) }
        #expect(error.map { $0.fieldDescription.contains(message) } == true, "\(String(describing: error))")
    }

    /// 400 examples, 8% positives, one informative feature.
    static func data(seed: UInt64, count: Int = 400) -> Dataset {
        var generator = SeededGenerator(seed: seed)
        var scalars: [Float] = []
        var labels: [Int] = []
        for _ in 0..<count {
            let positive = generator.nextUniform() < 0.08
            scalars += [(positive ? 1.5 : 0) + generator.nextNormal(), generator.nextNormal()]
            labels.append(positive ? 1 : 0)
        }
        return Dataset(
            features: Tensor(shape: [count, 2], scalars: scalars),
            labels: labels,
            featureNames: ["signal", "noise"],
            classNames: ["0", "1"]
        )
    }

    @Test func theTrainerChoosesTheThresholdOnValidationAndTheModelKeepsIt() throws {
        let (train, validation) = (Self.data(seed: 1), Self.data(seed: 2))
        var configuration = TrainingConfiguration()
        configuration.epochs = 5
        configuration.learningRate = 0.05
        configuration.loss = .focal
        configuration.thresholdTarget = .bestF1
        let model = Classifier(architecture: ModelArchitecture(inputs: 2, hidden: [4], classes: 2), seed: 3)
        let history = try Trainer(configuration: configuration).fit(model, train: train, validation: validation)
        let threshold = try #require(history.decisionThreshold)
        #expect(
            threshold
                == (try DecisionThreshold.choose(
                    positives: validation.labels.map { $0 == 1 },
                    scores: model.positiveScores(validation, threshold: nil).scores,
                    target: .bestF1,
                    source: "v"
                ))
        )

        model.setDecisionThreshold(threshold)
        let metrics = model.metrics(validation)
        let binary = try #require(metrics.binary)
        #expect(binary.threshold == threshold)
        // At its own best-F1 threshold the validation F1 is at least argmax's.
        #expect(binary.f1 >= (model.binaryMetrics(validation, threshold: 0.5).binary?.f1 ?? 1) - 1e-12)
        #expect(model.predict(validation.features) == model.predict(validation))
        #expect(metrics.confusion[1][1] == binary.truePositives && metrics.confusion[0][1] == binary.falsePositives)

        let folder = TestData.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try ModelFolder.save(model, to: folder)
        let loaded = try ModelFolder.load(folder)
        #expect(loaded.architecture.decisionThreshold == threshold)
        #expect(loaded.predict(validation.features) == model.predict(validation.features))
    }

    @Test func anUnreachableTargetStopsTrainingWithKeyAndValue() throws {
        // Validation with no positives at all: no threshold can be chosen.
        var validation = Self.data(seed: 2)
        validation.labels = validation.labels.map { _ in 0 }
        var configuration = TrainingConfiguration()
        configuration.epochs = 1
        configuration.thresholdTarget = .recallAtFPR
        let model = Classifier(architecture: ModelArchitecture(inputs: 2, hidden: [], classes: 2), seed: 3)
        do {
            _ = try Trainer(configuration: configuration).fit(model, train: Self.data(seed: 1), validation: validation)
            Issue.record("trained without a threshold")
        } catch {
            #expect(
                "\(error)".contains(
                    "the validation split (400 examples): cannot choose a decision threshold for threshold_fpr: 0.01"
                ),
                "\(error)"
            )
        }
    }

    @Test func aThresholdOnAModelOfThreeClassesIsRefused() {
        var architecture = ModelArchitecture(inputs: 2, hidden: [], classes: 3)
        architecture.decisionThreshold = 0.3
        #expect(architecture.problems().contains { $0.contains("only a model of 2 classes has one") })
        var binary = ModelArchitecture(inputs: 2, hidden: [], classes: 2)
        binary.decisionThreshold = 1.5
        #expect(binary.problems() == ["decisionThreshold must be a probability in 0...1, found 1.5"])
    }

    @Test func aSiteEvaluationReportsRareClassScoresAndItsThreshold() throws {
        let model = Classifier(architecture: ModelArchitecture(inputs: 2, hidden: [], classes: 2), seed: 3)
        let heldOut = Self.data(seed: 9)
        let (examples, metrics) = RoundTraining.evaluate(model, on: heldOut)
        #expect(examples == 400)
        for key in [
            "accuracy", "macro_f1", "loss", "pr_auc", "roc_auc", "recall_at_1pct_fpr", "positive_f1", "threshold",
        ] {
            #expect(metrics[key]?.isFinite == true, "\(key)")
        }
        var negatives = heldOut
        negatives.labels = negatives.labels.map { _ in 0 }
        let none = RoundTraining.evaluate(model, on: negatives).metrics
        #expect(none["threshold"] == nil && none["pr_auc"] == nil && none["accuracy"] != nil)
    }
}
