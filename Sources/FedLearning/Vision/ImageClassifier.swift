import FedImage
import FedTensor
import Foundation
import OrderedCollections

/// An EfficientNet-Lite backbone, dropout and a new linear classifier (`_fc`): a pretrained
/// CNN fine-tuned for image classification in one of three modes (`ImageFineTuning`).
///
/// Layers below the lowest trained one are frozen and their batch norms stay in evaluation
/// mode, so what they compute for an image never changes: unless training batches are
/// augmented, it is computed once per image and kept with the examples (the pooled
/// features in head mode, the frozen layers' output in last-n mode), and later epochs and
/// rounds run only the trained top.
package final class ImageClassifier {
    package private(set) var architecture: ImageClassifierArchitecture
    package var parameters: ParameterStore
    package let backbone: EfficientNet
    private let dropout: Dropout
    private let head: Linear
    private var batcher: ImageBatcher
    private var generator: SeededGenerator
    /// Names the frozen weights for cached features; a new random value whenever frozen
    /// tensors may have changed, so no other model or state can match it.
    private var frozenState = UInt64.random(in: .min ... .max)
    private var input = Tensor(shape: [0])
    /// Where the last training forward entered the backbone (nil: it did not, head mode).
    private var entered: Int?

    /// Images a frozen backbone scores at once (bounds the activations kept in memory).
    package static let chunk = 32

    /// A classifier with random weights; `load` or `init(pretrained:…)` gives it weights.
    package init(architecture: ImageClassifierArchitecture, seed: UInt64) {
        self.architecture = architecture
        var parameters = ParameterStore()
        var generator = SeededGenerator(seed: seed)
        self.backbone = EfficientNet(configuration: architecture.backbone, parameters: &parameters, generator: &generator)
        self.dropout = Dropout(rate: architecture.dropout, seed: generator.next())
        self.head = Linear(
            "_fc",
            inputs: architecture.backbone.headChannels,
            outputs: architecture.classes,
            parameters: &parameters,
            generator: &generator
        )
        self.parameters = parameters
        self.generator = SeededGenerator(seed: generator.next())
        self.batcher = ImageBatcher(
            height: architecture.inputSize,
            width: architecture.inputSize,
            normalization: architecture.normalization,
            augmentation: architecture.augmentation
        )
        let blocks = architecture.backbone.blocks.count
        for i in 0..<self.parameters.count {
            let name = self.parameters[i].name
            self.parameters[i].statistic = name.hasSuffix(".running_mean") || name.hasSuffix(".running_var")
            self.parameters[i].trainable = architecture.fineTuning.trains(name, blockCount: blocks)
            self.parameters[i].local = self.parameters[i].trainable && architecture.fineTuning.staysLocal(name)
        }
        self.backbone.useBatchStatistics(from: self.firstTrainedLayer)
    }

    /// A new classifier on a pretrained backbone, with a new classifier for `classNames`.
    package convenience init(
        pretrained: PretrainedEfficientNet,
        classNames: [String],
        fineTuning: ImageFineTuning,
        inputSize: Int,
        augmentation: AugmentationSettings = .none,
        dropout: Float = 0.2,
        seed: UInt64
    ) throws {
        let architecture = ImageClassifierArchitecture(
            backbone: pretrained.configuration,
            inputSize: inputSize,
            normalization: pretrained.normalization,
            classNames: classNames,
            dropout: dropout,
            fineTuning: fineTuning,
            augmentation: augmentation,
            base: pretrained.reference
        )
        let problems = architecture.problems
        guard problems.isEmpty else {
            throw ModelError.invalidArchitecture(
                path: pretrained.location.path,
                detail: problems.joined(separator: "; ")
            )
        }
        self.init(architecture: architecture, seed: seed)
        try self.load(pretrained.tensors, requireAll: false, source: pretrained.weightsFile.path)
    }

    /// The backbone layer training starts at: 0 (the stem) in full mode, the lowest trained
    /// block's in last-n mode, past the last layer in head mode.
    package var firstTrainedLayer: Int {
        let blocks = self.architecture.backbone.blocks.count
        guard let block = self.architecture.fineTuning.firstTrainedBlock(blockCount: blocks) else { return 0 }
        return self.architecture.fineTuning.mode == .head ? self.backbone.layers.count : block + 1
    }

    /// Labelled images for this model.
    package func examples(_ images: ImageSet) -> ImageExamples { ImageExamples(images) }

    /// Whether training batches see each image as it is (so frozen layers' output can be kept).
    private var cachesFrozenLayers: Bool {
        self.architecture.fineTuning.mode == .head || self.architecture.augmentation.isIdentity
    }

    /// The output of layer `firstTrainedLayer − 1` (the pooled features in head mode) for
    /// every example, from the frozen weights, computed once.
    private func frozenFeatures(_ examples: ImageExamples) -> Tensor {
        let layer = self.firstTrainedLayer
        if let cached = examples.cached, cached.key == self.frozenState, cached.layer == layer {
            return cached.features
        }
        var features = Tensor(shape: [0])
        var start = 0
        while start < examples.count {
            let end = Swift.min(start + Self.chunk, examples.count)
            self.batcher.fill(&self.input, from: examples.images, rows: Array(start..<end)[...])
            self.backbone.forward(self.input, upTo: layer, parameters: self.parameters, training: false)
            let part = layer >= self.backbone.layers.count ? self.backbone.output : self.backbone.output(ofLayer: layer - 1)
            if start == 0 { features = Tensor(shape: [examples.count] + part.shape.dropFirst()) }
            let width = part.columns
            features.scalars.replaceSubrange((start * width)..<(end * width), with: part.scalars)
            start = end
        }
        examples.cached = (self.frozenState, layer, features)
        return features
    }

    /// The pooled features [count, headChannels] of every example from the current weights
    /// (a linear probe's inputs in head mode).
    package func features(_ examples: ImageExamples) -> Tensor {
        if self.architecture.fineTuning.mode == .head { return self.frozenFeatures(examples) }
        var features = Tensor(shape: [examples.count, self.architecture.backbone.headChannels])
        var start = 0
        while start < examples.count {
            let end = Swift.min(start + Self.chunk, examples.count)
            self.batcher.fill(&self.input, from: examples.images, rows: Array(start..<end)[...])
            self.backbone.forward(self.input, parameters: self.parameters, training: false)
            let width = features.columns
            features.scalars.replaceSubrange((start * width)..<(end * width), with: self.backbone.output.scalars)
            start = end
        }
        return features
    }
}

extension ImageClassifier: TrainableClassifier {
    package var classCount: Int { self.architecture.classes }

    package func logits(_ examples: ImageExamples, rows: ArraySlice<Int>, training: Bool) -> Tensor {
        let trainedFrom = self.firstTrainedLayer
        let layers = self.backbone.layers.count
        if !training && rows.count > Self.chunk && trainedFrom < layers {
            // Scoring hundreds of images at once would keep all their activations.
            var all = Tensor(shape: [rows.count, self.classCount])
            var start = rows.startIndex
            while start < rows.endIndex {
                let end = Swift.min(start + Self.chunk, rows.endIndex)
                let part = self.logits(examples, rows: rows[start..<end], training: false)
                let offset = (start - rows.startIndex) * self.classCount
                all.scalars.replaceSubrange(offset..<(offset + part.count), with: part.scalars)
                start = end
            }
            self.entered = nil
            return all
        }
        let pooled: Tensor
        if trainedFrom >= layers {
            self.frozenFeatures(examples).gatherRows(rows, into: &self.input)
            pooled = self.input
            self.entered = nil
        } else if trainedFrom > 0 && self.cachesFrozenLayers {
            self.frozenFeatures(examples).gatherRows(rows, into: &self.input)
            self.backbone.forward(self.input, from: trainedFrom, parameters: self.parameters, training: training)
            pooled = self.backbone.output
            self.entered = trainedFrom
        } else {
            if training {
                self.batcher.fill(&self.input, from: examples.images, rows: rows, generator: &self.generator)
            } else {
                self.batcher.fill(&self.input, from: examples.images, rows: rows)
            }
            self.backbone.forward(self.input, parameters: self.parameters, training: training)
            pooled = self.backbone.output
            self.entered = 0
        }
        self.dropout.forward(pooled, parameters: self.parameters, training: training)
        self.head.forward(self.dropout.output, parameters: self.parameters, training: training)
        return self.head.output
    }

    package func backward(logitsGradient: Tensor) {
        let pooled = self.entered == nil ? self.input : self.backbone.output
        self.head.backward(
            self.dropout.output,
            outputGradient: logitsGradient,
            parameters: &self.parameters,
            needsInputGradient: self.entered != nil
        )
        guard let start = self.entered else { return }
        self.dropout.backward(
            pooled,
            outputGradient: self.head.inputGradient,
            parameters: &self.parameters,
            needsInputGradient: true
        )
        let trainedFrom = self.firstTrainedLayer
        self.backbone.backward(
            self.input,
            from: start,
            outputGradient: self.dropout.inputGradient,
            parameters: &self.parameters,
            downTo: trainedFrom
        )
        self.backbone.updateRunningStatistics(&self.parameters, from: trainedFrom)
    }

    package func load(_ tensors: OrderedDictionary<String, Tensor>, requireAll: Bool, source: String) throws {
        try self.parameters.load(tensors, requireAll: requireAll, source: source)
        let trained = self.architecture.fineTuning
        let blocks = self.architecture.backbone.blocks.count
        if tensors.keys.contains(where: { !trained.trains($0, blockCount: blocks) }) {
            self.frozenState = UInt64.random(in: .min ... .max)
        }
    }
}

extension ImageClassifier {
    /// The classifier's logits for pooled features (evaluation mode: no dropout).
    package func logitsOfPooled(_ pooled: Tensor) -> Tensor {
        self.head.forward(pooled, parameters: self.parameters, training: false)
        return self.head.output
    }
}
