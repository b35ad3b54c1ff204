import FedLearning
import FedTensor
import FedText
import Foundation

/// `fedtune bench encoder`: BERT throughput on this machine, measured the same way as
/// `benchmarks/flax_bert.py` measures Hugging Face's FlaxBertModel: forward passes with
/// pooling and normalisation, and single training steps (forward, cross-entropy, backward,
/// AdamW) of a 4-class classifier in LoRA, last-n and full mode, each the median of
/// `repeats` after a warm-up; plus head mode's first and second epoch.
package enum EncoderBenchmark {
    package struct Result: Sendable, Codable {
        package var batch: Int
        package var length: Int
        package var threads: Int
        package var forwardMilliseconds: Double
        package var forwardSentencesPerSecond: Double
        package var loraStepMilliseconds: Double
        package var lastLayersStepMilliseconds: Double
        package var fullStepMilliseconds: Double
        package var headFirstEpochSeconds: Double
        package var headSecondEpochSeconds: Double
        package var headExamples: Int
        /// Bytes of the trainable-tensor blob a round sends each site (and each site returns), by mode.
        package var roundBytes: [String: Int]
        /// Bytes of the whole model blob, sent once to each site.
        package var modelBytes: Int
    }

    /// MiniLM's shape (6 layers, 384 wide, 12 heads, 1536 inner, 30,522 tokens).
    package static let miniLM = BertConfiguration(
        vocabularySize: 30522,
        hiddenSize: 384,
        layerCount: 6,
        headCount: 12,
        intermediateSize: 1536
    )

    package static func run(
        configuration: BertConfiguration = miniLM,
        batch: Int = 32,
        length: Int = 64,
        repeats: Int = 7,
        headExamples: Int = 512
    ) throws -> Result {
        var generator = SeededGenerator(seed: 1)
        let tokens = (0..<batch).map { _ in
            [101] + (0..<(length - 2)).map { _ in Int32(1000 + Int(generator.next() % 28000)) } + [102]
        }
        let tokenBatch = TokenBatch(padding: tokens)
        var parameters = ParameterStore()
        let encoder = BertEncoder(configuration: configuration, parameters: &parameters, generator: &generator)
        let pooling = MeanPooling()
        let forward = MedianTime.seconds(repeats) {
            pooling.forward(encoder.forward(tokenBatch, parameters: parameters, training: false), batch: tokenBatch)
            var pooled = pooling.output
            MeanPooling.normalizeRows(&pooled)
        }
        let examples = TextExamples(
            tokens: tokens,
            labels: (0..<batch).map { $0 % 4 },
            classNames: ["a", "b", "c", "d"]
        )
        var roundBytes: [String: Int] = [:]
        var modelBytes = 0
        func step(_ fineTuning: FineTuning) throws -> Double {
            let model = try self.classifier(configuration, fineTuning)
            roundBytes[fineTuning.mode.rawValue] =
                ModelPackage.encodeTrainable(model.parameters.values(trainableOnly: true)).count
            modelBytes = Swift.max(modelBytes, ModelPackage.encodeTrainable(model.parameters.values()).count)
            let loss = SoftmaxCrossEntropy(classes: 4)
            var optimizer = OptimizerConfiguration().make()
            let rows = Array(0..<batch)[...]
            return MedianTime.seconds(repeats) {
                let logits = model.logits(examples, rows: rows, training: true)
                _ = loss.forward(logits, targets: examples.labels)
                model.parameters.zeroGradients()
                loss.backward(targets: examples.labels)
                model.backward(logitsGradient: loss.logitsGradient)
                optimizer.step(&model.parameters, learningRate: 1e-4)
            }
        }
        let lora = try step(FineTuning(mode: .lora, lora: LoRASettings(rank: 8, alpha: 16, dropout: 0)))
        let lastLayers = try step(FineTuning(mode: .lastLayers, layers: 2))
        let full = try step(FineTuning(mode: .full))

        let headModel = try self.classifier(configuration, FineTuning(mode: .head))
        roundBytes[FineTuning.Mode.head.rawValue] =
            ModelPackage.encodeTrainable(headModel.parameters.values(trainableOnly: true)).count
        let headTokens = (0..<headExamples).map { tokens[$0 % batch] }
        let headData = TextExamples(
            tokens: headTokens,
            labels: (0..<headExamples).map { $0 % 4 },
            classNames: ["a", "b", "c", "d"]
        )
        var training = TrainingConfiguration()
        training.epochs = 2
        let history = try Trainer(configuration: training).fit(headModel, train: headData)
        return Result(
            batch: batch,
            length: length,
            threads: BLAS.threadCount,
            forwardMilliseconds: forward * 1000,
            forwardSentencesPerSecond: Double(batch) / forward,
            loraStepMilliseconds: lora * 1000,
            lastLayersStepMilliseconds: lastLayers * 1000,
            fullStepMilliseconds: full * 1000,
            headFirstEpochSeconds: history.epochs[0].seconds,
            headSecondEpochSeconds: history.epochs[1].seconds,
            headExamples: headExamples,
            roundBytes: roundBytes,
            modelBytes: modelBytes
        )
    }

    private static func classifier(
        _ configuration: BertConfiguration,
        _ fineTuning: FineTuning
    ) throws -> TextClassifier {
        let vocabulary = try WordPieceVocabulary(
            tokens: ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + (4..<configuration.vocabularySize).map { "t\($0)" }
        )
        let architecture = TextClassifierArchitecture(
            encoder: configuration,
            maxLength: 256,
            lowercase: true,
            classNames: ["a", "b", "c", "d"],
            dropout: 0.1,
            fineTuning: fineTuning
        )
        return TextClassifier(architecture: architecture, vocabulary: vocabulary, seed: 1)
    }
}
