import FedTensor
import FedText

@testable import FedLearning

/// A tiny random BERT (2 layers, hidden 8, 2 heads) for gradient checks and fast tests.
enum TinyBert {
    static let configuration = BertConfiguration(
        vocabularySize: 12,
        hiddenSize: 8,
        layerCount: 2,
        headCount: 2,
        intermediateSize: 16,
        maxPositions: 16
    )

    static func vocabulary() throws -> WordPieceVocabulary {
        try WordPieceVocabulary(tokens: [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "d", "##e", "##f", "g",
        ])
    }

    static func classifier(_ fineTuning: FineTuning, dropout: Float = 0, seed: UInt64 = 3) throws -> TextClassifier {
        let architecture = TextClassifierArchitecture(
            encoder: self.configuration,
            maxLength: 16,
            lowercase: true,
            classNames: ["x", "y", "z"],
            dropout: dropout,
            fineTuning: fineTuning
        )
        let model = TextClassifier(architecture: architecture, vocabulary: try self.vocabulary(), seed: seed)
        // Non-zero adapters, so their gradients are not trivially zero through B = 0.
        var generator = SeededGenerator(seed: 99)
        for i in 0..<model.parameters.count where model.parameters[i].name.contains("lora_B") {
            model.parameters[i].value = .normal(shape: model.parameters[i].value.shape, std: 0.5, using: &generator)
        }
        return model
    }

    /// Three texts of different lengths, so the batch has padding.
    static func examples() -> TextExamples {
        TextExamples(
            tokens: [[2, 5, 6, 9, 3], [2, 7, 3], [2, 8, 10, 11, 5, 6, 3]],
            labels: [0, 2, 1],
            classNames: ["x", "y", "z"]
        )
    }
}
