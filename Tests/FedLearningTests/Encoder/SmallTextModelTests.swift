import FedSupport
import FedTensor
import FedText
import Foundation
import OrderedCollections
import Testing

@testable import FedLearning

/// A text model on a named base keeps only what it trains, in folders and checkpoints, and
/// finds the frozen rest by the base's SHA-256: in the cache first, then where it was read.
struct SmallTextModelTests {
    /// A classifier on a fresh tiny BERT folder in `mode`, every trained tensor moved off its
    /// starting value, so a load that mixed up base and trained tensors would show.
    static func tuned(_ mode: FineTuning.Mode) throws -> (model: TextClassifier, base: URL) {
        let base = try PretrainedBertTests.writeFolder()
        let model = try TextClassifier(
            pretrained: try PretrainedBert.load(base),
            classNames: ["x", "y"],
            fineTuning: FineTuning(mode: mode, layers: 1, lora: LoRASettings(rank: 2, alpha: 4, dropout: 0)),
            seed: 4
        )
        var generator = SeededGenerator(seed: 8)
        for i in 0..<model.parameters.count where model.parameters[i].trainable {
            model.parameters[i].value = .normal(shape: model.parameters[i].value.shape, std: 0.2, using: &generator)
        }
        return (model, base)
    }

    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-small-\(UUID())")
    }

    @Test(arguments: [FineTuning.Mode.head, .lastLayers, .lora])
    func aFolderKeepsOnlyTheTrainedTensorsAndTheBaseDigestAndLoadsBackExactly(mode: FineTuning.Mode) throws {
        let (model, base) = try Self.tuned(mode)
        let folder = Self.temporaryFolder()
        let emptyCache = Self.temporaryFolder()
        defer { for url in [base, folder] { try? FileManager.default.removeItem(at: url) } }
        try TextModelFolder.save(model, to: folder)

        let stored = try Safetensors.read(contentsOf: folder.appendingPathComponent("model.safetensors")).tensors
        let trained = model.parameters.entries.filter(\.trainable).map(\.name)
        #expect(Array(stored.keys) == trained)
        #expect(trained.count < model.parameters.count)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("vocab.txt").path))
        let json =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent("model.json"))
            ) as? [String: Any]
        let reference = json?["base"] as? [String: Any]
        #expect(
            reference?["sha256"] as? String
                == (try sha256Hex(contentsOf: base.appendingPathComponent("model.safetensors")))
        )

        // Not in the (empty) cache: found where it was read when the model was made.
        let loaded = try TextModelFolder.load(folder, bases: BaseModelLocator(cache: emptyCache))
        #expect(loaded.parameters.values() == model.parameters.values())
        #expect(loaded.vocabulary.tokens == model.vocabulary.tokens)
    }

    @Test func aFullFineTuneKeepsEveryTensorAndItsVocabulary() throws {
        let (model, base) = try Self.tuned(.full)
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try TextModelFolder.save(model, to: folder)
        // Without its base the folder is still whole.
        try FileManager.default.removeItem(at: base)
        let stored = try Safetensors.read(contentsOf: folder.appendingPathComponent("model.safetensors")).tensors
        #expect(stored.count == model.parameters.count)
        let loaded = try TextModelFolder.load(folder, bases: BaseModelLocator(cache: Self.temporaryFolder()))
        #expect(loaded.parameters.values() == model.parameters.values())
    }

    @Test func aMissingBaseIsNamedByDigestWithTheFetchCommandAndTheCacheIsSearchedFirst() throws {
        let (model, base) = try Self.tuned(.lora)
        let folder = Self.temporaryFolder()
        let cache = Self.temporaryFolder()
        defer { for url in [folder, cache] { try? FileManager.default.removeItem(at: url) } }
        try TextModelFolder.save(model, to: folder)
        let digest = try sha256Hex(contentsOf: base.appendingPathComponent("model.safetensors"))
        let name = base.lastPathComponent
        // The base moves into the cache under its name: the folder loads from there.
        let cached = CacheRoot.models(in: cache).appendingPathComponent(name)
        try FileManager.default.createDirectory(at: CacheRoot.models(in: cache), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: base, to: cached)
        let loaded = try TextModelFolder.load(folder, bases: BaseModelLocator(cache: cache))
        #expect(loaded.parameters.values() == model.parameters.values())

        // A base with other bytes under that name is not taken for it.
        var tensors = try Safetensors.read(contentsOf: cached.appendingPathComponent("model.safetensors")).tensors
        tensors["embeddings.word_embeddings.weight"]!.scalars[0] += 1
        try Safetensors(tensors: tensors).write(to: cached.appendingPathComponent("model.safetensors"))
        let message = PretrainedBertTests.message {
            _ = try TextModelFolder.load(folder, bases: BaseModelLocator(cache: cache))
        }
        #expect(message.contains(digest) && message.contains("fedtune models fetch \(name)"), "\(message)")
        #expect(
            message.contains(cache.path) && message.contains(folder.appendingPathComponent("model.safetensors").path)
        )
        #expect(!message.contains("HINT: HINT"))
    }

    @Test func aCheckpointLeavesTheEncoderAndVocabularyToTheBase() throws {
        let (model, base) = try Self.tuned(.lora)
        defer { try? FileManager.default.removeItem(at: base) }
        let any = AnyClassifier.text(model)
        let checkpoint = ModelPackage.encode(
            metadata: try any.checkpointMetadata(),
            tensors: any.stored(model.parameters.values())
        )
        let whole = ModelPackage.encode(metadata: try any.packageMetadata(), tensors: model.parameters.values())
        #expect(checkpoint.count * 4 < whole.count)
        #expect(try Safetensors.decode(checkpoint, path: "checkpoint").metadata[ModelPackage.vocabularyKey] == nil)
        guard case .text(let loaded) = try ModelPackage.decodeAny(checkpoint, source: "checkpoint") else {
            Issue.record("not a text model")
            return
        }
        #expect(loaded.parameters.values() == model.parameters.values())
        // The base model a site receives stays whole: a site needs no cache.
        try FileManager.default.removeItem(at: base)
        guard case .text(let received) = try ModelPackage.decodeAny(whole, source: "base") else {
            Issue.record("not a text model")
            return
        }
        #expect(received.parameters.values() == model.parameters.values())
    }
}
