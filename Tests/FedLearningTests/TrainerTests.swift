import FedCommands
import FedData
import FedTensor
import Foundation
import Testing

@testable import FedLearning

struct TrainerTests {
    static let source = SyntheticDomain(features: 8, classes: 4, noise: 1.0, worldSeed: 3)
    static var target: SyntheticDomain {
        var domain = source
        domain.shift = 1.0
        return domain
    }

    @Test func fineTuningAPretrainedModelOnShiftedDataBeatsThePretrainedModel() throws {
        let folder = TestData.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sourceCSV = folder.appendingPathComponent("source.csv")
        let targetCSV = folder.appendingPathComponent("target.csv")
        let testCSV = folder.appendingPathComponent("target-test.csv")
        try TestData.writeCSV(Self.source.sample(count: 2000, seed: 1), to: sourceCSV)
        try TestData.writeCSV(Self.target.sample(count: 300, seed: 2), to: targetCSV)
        try TestData.writeCSV(Self.target.sample(count: 1000, seed: 3), to: testCSV)

        var pretrain = TableTraining.Request(
            data: sourceCSV,
            labelColumn: "label",
            output: folder.appendingPathComponent("pretrained")
        )
        pretrain.architecture = "mlp:32,32"
        pretrain.training.epochs = 15
        pretrain.training.learningRate = 3e-3
        _ = try TableTraining(pretrain).run()
        var fineTune = TableTraining.Request(
            data: targetCSV,
            labelColumn: "label",
            output: folder.appendingPathComponent("tuned")
        )
        fineTune.baseModel = pretrain.output
        fineTune.freeze = ["hidden.0"]
        fineTune.training.epochs = 20
        fineTune.training.learningRate = 2e-3
        let outcome = try TableTraining(fineTune).run()

        let pretrainedOnTarget = try ModelScoring.evaluate(model: pretrain.output, data: testCSV, labelColumn: "label")
        let tunedOnTarget = try ModelScoring.evaluate(model: fineTune.output, data: testCSV, labelColumn: "label")
        let pretrainedOnSource = try ModelScoring.evaluate(
            model: pretrain.output,
            data: sourceCSV,
            labelColumn: "label"
        )
        #expect(pretrainedOnSource.accuracy > 0.85, "pretraining should learn the source domain")
        #expect(
            tunedOnTarget.accuracy > pretrainedOnTarget.accuracy + 0.05,
            "pretrained \(pretrainedOnTarget.accuracy), fine-tuned \(tunedOnTarget.accuracy)"
        )
        #expect(outcome.baseValidationAccuracy != nil)
        let tuned = try ModelFolder.load(fineTune.output)
        let pretrained = try ModelFolder.load(pretrain.output)
        #expect(
            tuned.parameters["hidden.0.weight"]?.value == pretrained.parameters["hidden.0.weight"]?.value,
            "a frozen layer must not change"
        )
        #expect(tuned.parameters["head.weight"]?.value != pretrained.parameters["head.weight"]?.value)
    }

    @Test func earlyStoppingRestoresTheBestValidationWeights() throws {
        // Random labels: the validation loss can only get worse as the model memorises.
        var data = Self.source.sample(count: 200, seed: 4)
        var generator = SeededGenerator(seed: 5)
        data.labels = data.labels.map { _ in generator.nextIndex(below: 4) }
        let parts = StratifiedSplit.indices(labels: data.labels, fractions: [0.7, 0.3], seed: 1)
        let model = Classifier(architecture: ModelArchitecture(inputs: 8, hidden: [64], classes: 4), seed: 1)
        var configuration = TrainingConfiguration()
        configuration.epochs = 60
        configuration.learningRate = 1e-2
        configuration.patience = 3
        let validation = data.subset(parts[1])

        let history = try Trainer(configuration: configuration).fit(
            model,
            train: data.subset(parts[0]),
            validation: validation
        )

        #expect(history.stoppedEarly)
        #expect(history.epochs.count == history.bestEpoch + 3)
        let best = history.epochs[history.bestEpoch - 1].validationLoss!
        let (finalLoss, _) = evaluateLoss(model, validation, SoftmaxCrossEntropy(classes: 4))
        #expect(abs(finalLoss - best) < 1e-5)
    }

    @Test func diverginglossStopsTrainingAndLeavesTheSavedModelUntouched() throws {
        let folder = TestData.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = folder.appendingPathComponent("data.csv")
        try TestData.writeCSV(Self.source.sample(count: 200, seed: 6), to: csv)
        var request = TableTraining.Request(
            data: csv,
            labelColumn: "label",
            output: folder.appendingPathComponent("model")
        )
        request.training.epochs = 2
        _ = try TableTraining(request).run()
        let weights = request.output.appendingPathComponent(ModelFolder.weightsFile)
        let description = request.output.appendingPathComponent(ModelFolder.architectureFile)
        let saved = (try Data(contentsOf: weights), try Data(contentsOf: description))

        request.baseModel = request.output
        request.training.optimizer = OptimizerConfiguration(kind: .sgd, momentum: 0.9)
        // The largest rate accepted: the loss grows about 10^5 a epoch and overflows.
        request.training.learningRate = 10
        request.training.epochs = 40

        #expect {
            try TableTraining(request).run()
        } throws: { error in
            guard case TrainingError.nonFiniteLoss = error else { return false }
            return "\(error)".contains("no model was saved")
        }
        #expect(try Data(contentsOf: weights) == saved.0)
        #expect(try Data(contentsOf: description) == saved.1)
    }

    @Test func sameSeedGivesIdenticalWeights() throws {
        let data = Self.source.sample(count: 256, seed: 7)
        var configuration = TrainingConfiguration()
        configuration.epochs = 2
        configuration.seed = 11
        let architecture = ModelArchitecture(inputs: 8, hidden: [16], classes: 4, dropout: 0.2)
        let first = Classifier(architecture: architecture, seed: 3)
        let second = Classifier(architecture: architecture, seed: 3)

        _ = try Trainer(configuration: configuration).fit(first, train: data)
        _ = try Trainer(configuration: configuration).fit(second, train: data)

        #expect(first.parameters.values() == second.parameters.values())
    }
}
