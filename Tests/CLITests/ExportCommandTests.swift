import FedLearning
import FedTensor
import FedText
import Foundation
import Testing

/// `fedtune export` end to end: a LoRA-tuned text model becomes a Hugging Face-style folder
/// whose tensors Python's safetensors reads with BertModel's names and shapes, adapters merged.
struct ExportCommandTests {
    static let configuration = BertConfiguration(
        vocabularySize: 10,
        hiddenSize: 8,
        layerCount: 2,
        headCount: 2,
        intermediateSize: 16,
        maxPositions: 16
    )

    func loraModel() throws -> TextClassifier {
        let vocabulary = try WordPieceVocabulary(tokens: [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "##d", "e",
        ])
        let architecture = TextClassifierArchitecture(
            encoder: Self.configuration,
            maxLength: 16,
            lowercase: true,
            classNames: ["no", "yes"],
            fineTuning: FineTuning(mode: .lora, lora: LoRASettings(rank: 2, alpha: 4, dropout: 0))
        )
        let model = TextClassifier(architecture: architecture, vocabulary: vocabulary, seed: 5)
        var generator = SeededGenerator(seed: 8)
        for i in 0..<model.parameters.count where model.parameters[i].name.contains("lora_B") {
            model.parameters[i].value = .normal(shape: model.parameters[i].value.shape, std: 0.3, using: &generator)
        }
        return model
    }

    static func python(_ file: URL) throws -> [String: [String: Any]] {
        let output = try Command.python(
            Command.repository.appendingPathComponent("scripts/fixtures/load_safetensors.py").path,
            file.path
        )
        try #require(output.status == 0, "\(output.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        return try #require(object?["tensors"] as? [String: [String: Any]])
    }

    @Test func exportedFolderHasBertModelNamesShapesAndMergedWeights() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-export-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try self.loraModel()
        try TextModelFolder.save(model, to: folder.appendingPathComponent("tuned"))
        let output = try Command.fedtune(
            "export",
            "--model",
            folder.appendingPathComponent("tuned").path,
            "--out",
            folder.appendingPathComponent("hf").path
        )
        #expect(output.status == 0, "\(output.stderr)")

        let hf = folder.appendingPathComponent("hf")
        let encoder = try Self.python(hf.appendingPathComponent("model.safetensors"))
        let expected = Self.configuration.tensorShapes
        #expect(Set(encoder.keys) == Set(expected.map(\.name)))
        for (name, shape) in expected {
            #expect(encoder[name]?["shape"] as? [Int] == shape, "\(name)")
        }
        let head = try Self.python(hf.appendingPathComponent("classifier.safetensors"))
        #expect(head["weight"]?["shape"] as? [Int] == [2, 8])
        #expect(head["bias"]?["shape"] as? [Int] == [2])

        // The exported query weight is W + (α/r)·B·A.
        let name = "encoder.layer.1.attention.self.query"
        let w = try #require(model.parameters["\(name).weight"]?.value)
        let a = try #require(model.parameters["\(name).lora_A.weight"]?.value)
        let b = try #require(model.parameters["\(name).lora_B.weight"]?.value)
        var merged = w
        Tensor.matmul(b, a, into: &merged, accumulate: true, alpha: 2)
        let exported = (encoder["\(name).weight"]?["values"] as? [Double] ?? []).map(Float.init)
        #expect(exported.count == merged.count)
        #expect(zip(exported, merged.scalars).allSatisfy { abs($0 - $1) < 1e-6 })
        #expect(zip(exported, w.scalars).contains { abs($0 - $1) > 1e-3 }, "the adapters changed the weight")

        let config =
            try JSONSerialization.jsonObject(with: Data(contentsOf: hf.appendingPathComponent("config.json")))
            as? [String: Any]
        #expect(config?["model_type"] as? String == "bert")
        #expect(config?["hidden_size"] as? Int == 8)
        #expect((config?["id2label"] as? [String: String])?["1"] == "yes")
        let vocabulary = try String(contentsOf: hf.appendingPathComponent("vocab.txt"), encoding: .utf8)
        #expect(vocabulary.split(separator: "\n").count == 10)
    }

    @Test func exportRefusesAFolderThatIsNotATextModel() throws {
        let output = try Command.fedtune("export", "--model", "/nonexistent-model", "--out", "/tmp/never-written")
        #expect(output.status != 0)
        #expect(output.stderr.contains("/nonexistent-model/model.json"), "\(output.stderr)")
    }
}
