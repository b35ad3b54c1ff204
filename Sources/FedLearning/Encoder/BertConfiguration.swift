import FedSupport
import FedTensor
import Foundation

/// The fields of a Hugging Face BERT `config.json` that fix the encoder's shape and
/// arithmetic; any BERT-family size loads (layers, heads, widths, vocabulary).
///
/// Architectures that are not BERT (RoBERTa's offset positions, DistilBERT's names, other
/// activations or relative positions) are refused by field rather than run wrongly.
package struct BertConfiguration: Sendable, Codable, Equatable {
    package var vocabularySize: Int
    package var hiddenSize: Int
    package var layerCount: Int
    package var headCount: Int
    package var intermediateSize: Int
    package var maxPositions: Int
    package var typeVocabularySize: Int
    package var layerNormEpsilon: Float
    package var modelType: String
    package var hiddenActivation: String
    package var positionEmbeddingType: String

    package init(
        vocabularySize: Int,
        hiddenSize: Int,
        layerCount: Int,
        headCount: Int,
        intermediateSize: Int,
        maxPositions: Int = 512,
        typeVocabularySize: Int = 2,
        layerNormEpsilon: Float = 1e-12
    ) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize
        self.layerNormEpsilon = layerNormEpsilon
        self.modelType = "bert"
        self.hiddenActivation = "gelu"
        self.positionEmbeddingType = "absolute"
    }

    package var headWidth: Int { self.hiddenSize / self.headCount }

    private enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size"
        case hiddenSize = "hidden_size"
        case layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case maxPositions = "max_position_embeddings"
        case typeVocabularySize = "type_vocab_size"
        case layerNormEpsilon = "layer_norm_eps"
        case modelType = "model_type"
        case hiddenActivation = "hidden_act"
        case positionEmbeddingType = "position_embedding_type"
    }

    /// Decodes with Hugging Face's defaults for the optional fields.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            vocabularySize: try c.decode(Int.self, forKey: .vocabularySize),
            hiddenSize: try c.decode(Int.self, forKey: .hiddenSize),
            layerCount: try c.decode(Int.self, forKey: .layerCount),
            headCount: try c.decode(Int.self, forKey: .headCount),
            intermediateSize: try c.decode(Int.self, forKey: .intermediateSize),
            maxPositions: try c.decodeIfPresent(Int.self, forKey: .maxPositions) ?? 512,
            typeVocabularySize: try c.decodeIfPresent(Int.self, forKey: .typeVocabularySize) ?? 2,
            layerNormEpsilon: try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-12
        )
        self.modelType = try c.decodeIfPresent(String.self, forKey: .modelType) ?? "bert"
        self.hiddenActivation = try c.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? "gelu"
        self.positionEmbeddingType = try c.decodeIfPresent(String.self, forKey: .positionEmbeddingType) ?? "absolute"
    }

    /// What this encoder cannot run, each naming the config field.
    package var problems: [String] {
        var problems: [String] = []
        if self.modelType != "bert" {
            problems.append("field 'model_type' is '\(self.modelType)'; fedtune runs BERT encoders ('bert') only")
        }
        if self.hiddenActivation != "gelu" {
            problems.append("field 'hidden_act' is '\(self.hiddenActivation)'; only 'gelu' (erf) is supported")
        }
        if self.positionEmbeddingType != "absolute" {
            problems.append(
                "field 'position_embedding_type' is '\(self.positionEmbeddingType)'; only 'absolute' is supported"
            )
        }
        for (field, value) in [
            ("vocab_size", self.vocabularySize), ("hidden_size", self.hiddenSize),
            ("num_hidden_layers", self.layerCount),
            ("num_attention_heads", self.headCount), ("intermediate_size", self.intermediateSize),
            ("max_position_embeddings", self.maxPositions), ("type_vocab_size", self.typeVocabularySize),
        ] where value < 1 {
            problems.append("field '\(field)' must be at least 1, found \(value)")
        }
        if self.headCount > 0, self.hiddenSize % self.headCount != 0 {
            problems.append(
                "field 'hidden_size' (\(self.hiddenSize)) is not a multiple of 'num_attention_heads' (\(self.headCount))"
            )
        }
        if !(self.layerNormEpsilon > 0) { problems.append("field 'layer_norm_eps' must be positive") }
        if let problem = self.budget.problem("this encoder") { problems.append(problem) }
        return problems
    }

    /// The encoder's weights counted from the sizes alone (no shapes listed), overflow-checked.
    package var budget: TensorBudget {
        let (h, i) = (self.hiddenSize, self.intermediateSize)
        var budget = TensorBudget()
        budget.add(self.vocabularySize, h)
        budget.add(self.maxPositions, h)
        budget.add(self.typeVocabularySize, h)
        budget.add(h, count: 2)
        // Per layer: four h×h projections with biases, two LayerNorms, the feed-forward pair.
        var layer = TensorBudget()
        layer.add(h, h, count: 4)
        layer.add(h, count: 4 + 4)
        layer.add(i, h, count: 2)
        layer.add(i)
        budget.add(layer.scalars ?? -1, count: self.layerCount)
        return budget
    }

    /// Reads and checks `config.json`; errors name the file and the field.
    package static func read(_ url: URL) throws -> BertConfiguration {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ModelError.missingFile(
                path: url.path,
                hint: "a BERT folder holds config.json, vocab.txt and model.safetensors"
            )
        }
        let configuration: BertConfiguration
        do {
            configuration = try JSONDecoder().decode(BertConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ModelError.invalidArchitecture(path: url.path, detail: error.fieldDescription)
        } catch {
            throw ModelError.invalidArchitecture(path: url.path, detail: "not valid JSON (\(error))")
        }
        let problems = configuration.problems
        guard problems.isEmpty else {
            throw ModelError.invalidArchitecture(path: url.path, detail: problems.joined(separator: "; "))
        }
        return configuration
    }

    /// Every encoder tensor with its shape, in checkpoint order, named as in Hugging Face's BertModel.
    package var tensorShapes: [(name: String, shape: [Int])] {
        let (h, i) = (self.hiddenSize, self.intermediateSize)
        var shapes: [(name: String, shape: [Int])] = [
            ("embeddings.word_embeddings.weight", [self.vocabularySize, h]),
            ("embeddings.position_embeddings.weight", [self.maxPositions, h]),
            ("embeddings.token_type_embeddings.weight", [self.typeVocabularySize, h]),
            ("embeddings.LayerNorm.weight", [h]), ("embeddings.LayerNorm.bias", [h]),
        ]
        for layer in 0..<self.layerCount {
            let p = "encoder.layer.\(layer)."
            for projection in ["query", "key", "value"] {
                shapes.append(("\(p)attention.self.\(projection).weight", [h, h]))
                shapes.append(("\(p)attention.self.\(projection).bias", [h]))
            }
            shapes += [
                ("\(p)attention.output.dense.weight", [h, h]), ("\(p)attention.output.dense.bias", [h]),
                ("\(p)attention.output.LayerNorm.weight", [h]), ("\(p)attention.output.LayerNorm.bias", [h]),
                ("\(p)intermediate.dense.weight", [i, h]), ("\(p)intermediate.dense.bias", [i]),
                ("\(p)output.dense.weight", [h, i]), ("\(p)output.dense.bias", [h]),
                ("\(p)output.LayerNorm.weight", [h]), ("\(p)output.LayerNorm.bias", [h]),
            ]
        }
        return shapes
    }
}
