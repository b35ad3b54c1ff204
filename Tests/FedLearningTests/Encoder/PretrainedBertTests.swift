import FedTensor
import FedText
import Foundation
import OrderedCollections
import Testing

@testable import FedLearning

/// Reading Hugging Face BERT folders, and refusing bad ones with the file and field named.
struct PretrainedBertTests {
    /// A tiny BERT folder as Hugging Face writes one (optionally with BertForX's `bert.` prefix).
    static func writeFolder(
        config: [String: Any]? = nil,
        vocabulary: [String]? = nil,
        prefix: String = "",
        change: (inout OrderedDictionary<String, Tensor>) -> Void = { _ in }
    ) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-bert-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let c = TinyBert.configuration
        let json =
            config ?? [
                "model_type": "bert", "vocab_size": c.vocabularySize, "hidden_size": c.hiddenSize,
                "num_hidden_layers": c.layerCount, "num_attention_heads": c.headCount,
                "intermediate_size": c.intermediateSize,
                "max_position_embeddings": c.maxPositions, "hidden_act": "gelu", "layer_norm_eps": 1e-12,
            ]
        try JSONSerialization.data(withJSONObject: json).write(to: folder.appendingPathComponent("config.json"))
        let tokens =
            vocabulary ?? ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "d", "##e", "##f", "g"]
        try (tokens.joined(separator: "\n") + "\n").write(
            to: folder.appendingPathComponent("vocab.txt"),
            atomically: true,
            encoding: .utf8
        )
        var generator = SeededGenerator(seed: 2)
        var tensors: OrderedDictionary<String, Tensor> = [:]
        for (name, shape) in c.tensorShapes {
            tensors[prefix + name] =
                name.hasSuffix("LayerNorm.weight")
                ? Tensor(shape: shape, repeating: 1) : .normal(shape: shape, std: 0.3, using: &generator)
        }
        tensors[prefix + "pooler.dense.weight"] = Tensor(shape: [c.hiddenSize, c.hiddenSize])
        change(&tensors)
        try Safetensors(tensors: tensors, metadata: ["format": "pt"]).write(
            to: folder.appendingPathComponent("model.safetensors")
        )
        return folder
    }

    static func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func loadsAFolderWithOrWithoutTheBertPrefixAndSkipsThePooler() throws {
        for prefix in ["", "bert."] {
            let folder = try Self.writeFolder(prefix: prefix)
            defer { try? FileManager.default.removeItem(at: folder) }
            let pretrained = try PretrainedBert.load(folder)
            #expect(pretrained.tensors.keys.elementsEqual(TinyBert.configuration.tensorShapes.map(\.name)))
            #expect(pretrained.maxLength == 16)
            let model = try TextClassifier(
                pretrained: pretrained,
                classNames: ["x", "y"],
                fineTuning: FineTuning(mode: .head),
                seed: 1
            )
            #expect(
                model.parameters["encoder.layer.1.output.dense.weight"]?.value
                    == pretrained.tensors["encoder.layer.1.output.dense.weight"]
            )
        }
    }

    @Test func aMissingFileIsNamed() throws {
        for file in ["config.json", "vocab.txt", "model.safetensors"] {
            let folder = try Self.writeFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            try FileManager.default.removeItem(at: folder.appendingPathComponent(file))
            let message = Self.message { _ = try PretrainedBert.load(folder) }
            #expect(message.contains(folder.appendingPathComponent(file).path), "\(message)")
        }
    }

    @Test(
        arguments: [
            (["model_type": "roberta"], "'model_type' is 'roberta'"),
            (["hidden_act": "relu"], "'hidden_act' is 'relu'"),
            (["num_attention_heads": 3], "not a multiple of 'num_attention_heads'"),
            (["position_embedding_type": "relative_key"], "'position_embedding_type'"),
            (["hidden_size": "big"], "hidden_size"),
        ] as [([String: any Sendable], String)]
    )
    func anUnsupportedConfigIsRefusedNamingTheField(change: [String: any Sendable], expected: String) throws {
        let c = TinyBert.configuration
        var config: [String: Any] = [
            "model_type": "bert", "vocab_size": c.vocabularySize, "hidden_size": c.hiddenSize,
            "num_hidden_layers": c.layerCount, "num_attention_heads": c.headCount,
            "intermediate_size": c.intermediateSize,
            "max_position_embeddings": c.maxPositions,
        ]
        for (key, value) in change { config[key] = value }
        let folder = try Self.writeFolder(config: config)
        defer { try? FileManager.default.removeItem(at: folder) }
        let message = Self.message { _ = try PretrainedBert.load(folder) }
        #expect(message.contains("config.json") && message.contains(expected), "\(message)")
    }

    @Test func tensorsThatDisagreeWithTheConfigAreNamed() throws {
        let folder = try Self.writeFolder { tensors in
            tensors["encoder.layer.0.intermediate.dense.weight"] = Tensor(shape: [15, 8])
            tensors.removeValue(forKey: "encoder.layer.1.output.LayerNorm.bias")
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let message = Self.message { _ = try PretrainedBert.load(folder) }
        #expect(message.contains("model.safetensors") && message.contains("config.json"), "\(message)")
        #expect(message.contains("'encoder.layer.0.intermediate.dense.weight' has shape [15, 8]"), "\(message)")
        #expect(message.contains("missing tensors: encoder.layer.1.output.LayerNorm.bias"), "\(message)")
    }

    @Test func aVocabularyWithoutUNKIsRefusedNamingTheFile() throws {
        let folder = try Self.writeFolder(
            config: nil,
            vocabulary: ["[PAD]", "[XXX]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "d", "##e", "##f", "g"]
        )
        defer { try? FileManager.default.removeItem(at: folder) }
        let message = Self.message { _ = try PretrainedBert.load(folder) }
        #expect(message.contains("vocab.txt") && message.contains("[UNK]"), "\(message)")
    }

    @Test func overLongAndEmptyTextsAreFine() throws {
        let folder = try Self.writeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try TextClassifier(
            pretrained: try PretrainedBert.load(folder),
            classNames: ["x", "y"],
            fineTuning: FineTuning(mode: .lora),
            seed: 1
        )
        let examples = model.examples(texts: [String(repeating: "a b ", count: 500), "", "   "], labels: [0, 1, 0])
        #expect(examples.tokens.map(\.count) == [16, 2, 2])
        #expect(model.predict(examples).count == 3)
    }
}
