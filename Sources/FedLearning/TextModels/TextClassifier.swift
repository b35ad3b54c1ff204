import FedTensor
import FedText
import Foundation
import OrderedCollections

/// A BERT encoder, mean pooling, dropout and a linear head: a pretrained sentence encoder
/// fine-tuned for text classification in one of four modes (see `FineTuning`).
///
/// In head mode the encoder is frozen, so each example's pooled embedding is computed once
/// and kept with the examples; later epochs and rounds cost only the head.
package final class TextClassifier {
    package private(set) var architecture: TextClassifierArchitecture
    package var parameters: ParameterStore
    package let vocabulary: WordPieceVocabulary
    package let tokenizer: BertTokenizer
    package let encoder: BertEncoder
    private let pooling = MeanPooling()
    private let dropout: Dropout
    private let head: Linear
    /// Names the encoder's current weights for cached embeddings; a new random value whenever
    /// encoder tensors may have changed, so no other model or state can match it.
    private var encoderState = UInt64.random(in: .min ... .max)
    private var batch: TokenBatch?
    /// Told (texts embedded, of how many) before the first batch and after each, while a set
    /// of 256 or more texts is embedded through the frozen encoder (head mode, the linear
    /// probe): a long phase that a command shows progress of.
    package var onEmbedding: ((_ done: Int, _ total: Int) -> Void)?
    private var cachedInput = Tensor(shape: [0])

    /// Prefix of the head's tensors (`classifier.weight`, `classifier.bias`, as BertForSequenceClassification).
    package static let headPrefix = "classifier."

    /// A classifier with a random encoder and head; `load` or `init(pretrained:…)` gives it weights.
    package init(architecture: TextClassifierArchitecture, vocabulary: WordPieceVocabulary, seed: UInt64) {
        self.architecture = architecture
        self.vocabulary = vocabulary
        self.tokenizer = BertTokenizer(
            vocabulary: vocabulary,
            maxLength: architecture.maxLength,
            lowercase: architecture.lowercase
        )
        var parameters = ParameterStore()
        var generator = SeededGenerator(seed: seed)
        let lora = architecture.fineTuning.mode == .lora ? architecture.fineTuning.lora : nil
        self.encoder = BertEncoder(
            configuration: architecture.encoder,
            lora: lora,
            parameters: &parameters,
            generator: &generator
        )
        self.dropout = Dropout(rate: architecture.dropout, seed: generator.next())
        self.head = Linear(
            "classifier",
            inputs: architecture.encoder.hiddenSize,
            outputs: architecture.classes,
            parameters: &parameters,
            generator: &generator
        )
        self.parameters = parameters
        let layers = architecture.encoder.layerCount
        for i in 0..<self.parameters.count {
            self.parameters[i].trainable = architecture.fineTuning.trains(self.parameters[i].name, layerCount: layers)
        }
    }

    /// A new classifier on a pretrained encoder, with a fresh head (and fresh adapters in LoRA mode).
    package convenience init(
        pretrained: PretrainedBert,
        classNames: [String],
        fineTuning: FineTuning,
        dropout: Float = 0.1,
        seed: UInt64
    ) throws {
        let architecture = TextClassifierArchitecture(
            encoder: pretrained.configuration,
            maxLength: pretrained.maxLength,
            lowercase: pretrained.lowercase,
            classNames: classNames,
            dropout: dropout,
            fineTuning: fineTuning,
            base: pretrained.reference
        )
        let problems = architecture.problems
        guard problems.isEmpty else {
            throw ModelError.invalidArchitecture(path: pretrained.folder.path, detail: problems.joined(separator: "; "))
        }
        self.init(architecture: architecture, vocabulary: pretrained.vocabulary, seed: seed)
        try self.load(pretrained.tensors, requireAll: false, source: pretrained.folder.path)
    }

    /// Tokenises texts with labels into examples for this model.
    package func examples(texts: [String], labels: [Int]) -> TextExamples {
        TextExamples(
            tokens: texts.map { self.tokenizer.encode($0) },
            labels: labels,
            classNames: self.architecture.classNames
        )
    }

    /// The pooled embeddings [count, hidden] of all examples from the frozen encoder, computed once.
    private func pooledFeatures(_ examples: TextExamples) -> Tensor {
        let key = self.encoderState
        if let pooled = examples.pooled, pooled.key == key { return pooled.features }
        let hidden = self.architecture.encoder.hiddenSize
        var features = Tensor(shape: [examples.count, hidden])
        let order = examples.tokens.indices.sorted { examples.tokens[$0].count < examples.tokens[$1].count }
        var start = 0
        if order.count >= 256 { self.onEmbedding?(0, order.count) }
        while start < order.count {
            let slice = order[start..<Swift.min(start + 64, order.count)]
            let batch = TokenBatch(padding: slice.map { examples.tokens[$0] })
            self.pooling.forward(
                self.encoder.forward(batch, parameters: self.parameters, training: false),
                batch: batch
            )
            for (row, index) in slice.enumerated() {
                features.scalars.replaceSubrange(
                    (index * hidden)..<((index + 1) * hidden),
                    with: self.pooling.output.scalars[(row * hidden)..<((row + 1) * hidden)]
                )
            }
            start += 64
            if order.count >= 256 { self.onEmbedding?(Swift.min(start, order.count), order.count) }
        }
        examples.pooled = (key, features)
        return features
    }

    /// The pooled embedding of each text (unnormalised), e.g. for a linear probe.
    package func embed(_ examples: TextExamples) -> Tensor { self.pooledFeatures(examples) }
}

extension TextClassifier: TrainableClassifier {
    package var classCount: Int { self.architecture.classes }

    package func logits(_ examples: TextExamples, rows: ArraySlice<Int>, training: Bool) -> Tensor {
        // Evaluation asks for hundreds of rows at once; through the encoder that would keep
        // attention probabilities for all of them, so score them a few dozen at a time.
        let chunk = 32
        if !training && rows.count > chunk && self.architecture.fineTuning.mode != .head {
            var all = Tensor(shape: [rows.count, self.classCount])
            var start = rows.startIndex
            while start < rows.endIndex {
                let end = Swift.min(start + chunk, rows.endIndex)
                let part = self.logits(examples, rows: rows[start..<end], training: false)
                let offset = (start - rows.startIndex) * self.classCount
                all.scalars.replaceSubrange(offset..<(offset + part.count), with: part.scalars)
                start = end
            }
            self.batch = nil
            return all
        }
        let pooled: Tensor
        if self.architecture.fineTuning.mode == .head {
            self.pooledFeatures(examples).gatherRows(rows, into: &self.cachedInput)
            pooled = self.cachedInput
            self.batch = nil
        } else {
            let batch = TokenBatch(padding: rows.map { examples.tokens[$0] })
            self.pooling.forward(
                self.encoder.forward(batch, parameters: self.parameters, training: training),
                batch: batch
            )
            pooled = self.pooling.output
            self.batch = batch
        }
        self.dropout.forward(pooled, parameters: self.parameters, training: training)
        self.head.forward(self.dropout.output, parameters: self.parameters, training: training)
        return self.head.output
    }

    package func backward(logitsGradient: Tensor) {
        let throughEncoder = self.batch != nil
        self.head.backward(
            self.dropout.output,
            outputGradient: logitsGradient,
            parameters: &self.parameters,
            needsInputGradient: throughEncoder
        )
        guard let batch = self.batch else { return }
        self.dropout.backward(
            self.pooling.output,
            outputGradient: self.head.inputGradient,
            parameters: &self.parameters,
            needsInputGradient: true
        )
        self.pooling.backward(outputGradient: self.dropout.inputGradient, batch: batch)
        self.encoder.backward(outputGradient: self.pooling.inputGradient, parameters: &self.parameters)
    }

    package func load(_ tensors: OrderedDictionary<String, Tensor>, requireAll: Bool, source: String) throws {
        try self.parameters.load(tensors, requireAll: requireAll, source: source)
        if tensors.keys.contains(where: { !$0.hasPrefix(Self.headPrefix) }) {
            self.encoderState = UInt64.random(in: .min ... .max)
        }
    }
}
