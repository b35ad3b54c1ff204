import FedFetch
import FedImage
import FedTensor
import Foundation
import OrderedCollections
import FedTestSupport
import Testing

@testable import FedLearning

/// The image classifier on EfficientNet-Lite0's ImageNet weights, at a small input size:
/// which tensors train and travel in each mode, training through the same trainer every
/// model uses, and model folders that keep only what was trained.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FEDTUNE_SKIP_PYPI"] == nil))
struct ImageClassifierTests {
    static func pretrained() throws -> PretrainedEfficientNet {
        try EfficientNetReferenceTests.pretrained()
    }

    /// Two classes of 8×8 grey images a CNN tells apart: bright top half or bright bottom half.
    static func images(count: Int, seed: UInt64) -> ImageSet {
        var generator = SeededGenerator(seed: seed)
        var pixels: [UInt8] = []
        var labels: [Int] = []
        for i in 0..<count {
            let label = i % 2
            for row in 0..<8 {
                for _ in 0..<8 {
                    let bright = (row < 4) == (label == 0)
                    let base: Float = bright ? 200 : 60
                    pixels.append(UInt8(Swift.min(Swift.max(base + 20 * generator.nextNormal(), 0), 255)))
                }
            }
            labels.append(label)
        }
        return ImageSet(height: 8, width: 8, channels: 1, pixels: pixels, labels: labels, classNames: ["top", "bottom"])
    }

    static func classifier(_ fineTuning: ImageFineTuning, augmentation: AugmentationSettings = .none) throws
        -> ImageClassifier
    {
        try ImageClassifier(
            pretrained: Self.pretrained(),
            classNames: ["top", "bottom"],
            fineTuning: fineTuning,
            inputSize: 32,
            augmentation: augmentation,
            seed: 4
        )
    }

    @Test func eachModeTrainsAndSendsItsOwnTensors() async throws {
        try await offThePool {
            let head = try Self.classifier(ImageFineTuning(mode: .head))
            #expect(head.parameters.values(trainableOnly: true).keys.elements == ["_fc.weight", "_fc.bias"])

            let lastTwo = try Self.classifier(ImageFineTuning(mode: .lastLayers, layers: 2))
            let sent = Set(lastTwo.parameters.values(trainableOnly: true).keys)
            #expect(sent.contains("_blocks.15._depthwise_conv.weight") && sent.contains("_blocks.14._bn1.running_var"))
            #expect(sent.contains("_conv_head.weight") && sent.contains("_bn1.running_mean") && sent.contains("_fc.bias"))
            #expect(!sent.contains(where: { $0.hasPrefix("_blocks.13.") || $0.hasPrefix("_conv_stem") }))
            #expect(lastTwo.parameters["_blocks.15._bn2.running_mean"]!.statistic)
            #expect(!lastTwo.parameters["_blocks.15._bn2.running_mean"]!.optimized)

            let fedBN = try Self.classifier(ImageFineTuning(mode: .lastLayers, layers: 2, batchNorm: .local))
            let travels = Set(fedBN.parameters.values(trainableOnly: true).keys)
            #expect(!travels.contains(where: { $0.contains("._bn") || $0.hasPrefix("_bn1.") }))
            #expect(travels.contains("_blocks.15._project_conv.weight"))
            #expect(fedBN.parameters.localValues().keys.contains("_blocks.14._bn0.weight"))

            let full = try Self.classifier(ImageFineTuning(mode: .full))
            #expect(full.parameters.values(trainableOnly: true).count == full.parameters.count)
        }
    }

    @Test(arguments: [ImageFineTuning.Mode.head, .lastLayers])
    func fineTuningLearnsTheTaskAndLeavesFrozenTensorsAlone(mode: ImageFineTuning.Mode) async throws {
        try await offThePool {
            let model = try Self.classifier(ImageFineTuning(mode: mode, layers: 1))
            let train = model.examples(Self.images(count: 48, seed: 1))
            let test = model.examples(Self.images(count: 24, seed: 2))
            let frozenBefore = model.parameters["_blocks.10._depthwise_conv.weight"]!.value
            let statisticsBefore = model.parameters["_blocks.10._bn1.running_mean"]!.value
            let trainedStatisticsBefore = model.parameters["_bn1.running_var"]!.value
            var configuration = TrainingConfiguration()
            configuration.epochs = 6
            configuration.batchSize = 16
            configuration.learningRate = 0.01

            let before = model.metrics(test).accuracy
            let history = try Trainer(configuration: configuration).fit(model, train: train)
            let after = model.metrics(test).accuracy

            #expect(after >= 0.9, "accuracy \(before) → \(after)")
            #expect(history.epochs.last!.trainLoss < history.epochs.first!.trainLoss)
            #expect(model.parameters["_blocks.10._depthwise_conv.weight"]!.value == frozenBefore)
            #expect(model.parameters["_blocks.10._bn1.running_mean"]!.value == statisticsBefore)
            // The head's batch norm trains in last-n mode (batch statistics) and is frozen in head mode.
            #expect((model.parameters["_bn1.running_var"]!.value != trainedStatisticsBefore) == (mode == .lastLayers))
            // What the frozen layers compute was kept with the examples, computed once.
            #expect(train.cached?.layer == model.firstTrainedLayer)
        }
    }

    @Test func augmentedTrainingRunsTheWholeNetworkEachStep() async throws {
        try await offThePool {
            var augmentation = AugmentationSettings.none
            augmentation.horizontalFlip = true
            augmentation.brightness = 0.1
            let model = try Self.classifier(ImageFineTuning(mode: .lastLayers, layers: 1), augmentation: augmentation)
            let train = model.examples(Self.images(count: 32, seed: 3))
            var configuration = TrainingConfiguration()
            configuration.epochs = 3
            configuration.batchSize = 16
            configuration.learningRate = 0.01

            let history = try Trainer(configuration: configuration).fit(model, train: train)

            #expect(history.epochs.allSatisfy { $0.trainLoss.isFinite })
            #expect(train.cached == nil)
        }
    }

    @Test func aFolderKeepsOnlyTrainedTensorsAndReloadsTheSameModel() async throws {
        try await offThePool {
            let model = try Self.classifier(ImageFineTuning(mode: .lastLayers, layers: 1))
            let train = model.examples(Self.images(count: 32, seed: 5))
            var configuration = TrainingConfiguration()
            configuration.epochs = 2
            configuration.batchSize = 16
            _ = try Trainer(configuration: configuration).fit(model, train: train)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("image-model-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }

            try AnyClassifier.image(model).save(to: folder)
            guard case .image(let loaded) = try AnyClassifier.load(folder) else {
                Issue.record("not an image model")
                return
            }

            let stored = try Safetensors.read(contentsOf: folder.appendingPathComponent("model.safetensors")).tensors
            #expect(Set(stored.keys) == Set(model.parameters.values(trainableOnly: true).keys))
            #expect(stored.values.reduce(0) { $0 + $1.count } < model.parameters.scalarCount / 2)
            let test = model.examples(Self.images(count: 8, seed: 6))
            let rows = Array(0..<8)[...]
            #expect(loaded.logits(test, rows: rows, training: false) == model.logits(test, rows: rows, training: false))
            #expect(loaded.architecture.base?.sha256 == (try Self.pretrained()).sha256)
        }
    }
}
