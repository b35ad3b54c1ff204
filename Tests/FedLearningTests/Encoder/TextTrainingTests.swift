import FedCommands
import FedData
import FedTensor
import FedText
import Foundation
import OrderedCollections
import Testing

@testable import FedLearning

/// `fedtune train --text-column`: a text classifier fine-tuned alone, saved, and reloaded.
struct TextTrainingTests {
    static func writeTexts(to url: URL) throws {
        var lines = ["{\"text\": \"a b a\", \"label\": \"first\"}"]
        for i in 0..<40 {
            let (text, label) = i % 2 == 0 ? ("a b a\\tb", "first") : ("c d ##e g\\nc", "second")
            lines.append("{\"text\": \"\(text) \(i % 3 == 0 ? "g" : "")\", \"label\": \"\(label)\"}")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    @Test(arguments: [FineTuning.Mode.head, .lora, .lastLayers])
    func trainsSavesAndReloadsATextModel(mode: FineTuning.Mode) throws {
        let base = try PretrainedBertTests.writeFolder()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-text-train-\(UUID())")
        defer {
            try? FileManager.default.removeItem(at: base)
            try? FileManager.default.removeItem(at: folder)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let data = folder.appendingPathComponent("texts.jsonl")
        try Self.writeTexts(to: data)
        var request = TextTraining.Request(
            data: data,
            textColumn: "text",
            labelColumn: "label",
            output: folder.appendingPathComponent("model")
        )
        request.base = base
        request.fineTuning = FineTuning(mode: mode, layers: 1)
        request.testFraction = 0.25
        request.training.epochs = 12
        request.training.learningRate = 0.03
        request.training.batchSize = 8
        let outcome = try TextTraining(request).run()
        #expect(outcome.history.epochs.count == 12)
        let first = try #require(outcome.history.epochs.first?.trainLoss)
        let last = try #require(outcome.history.epochs.last?.trainLoss)
        #expect(last < first, "train loss \(first) → \(last)")
        let test = try #require(outcome.test)
        #expect(test.accuracy >= 0.9, "the two kinds of text are trivially separable: \(test.accuracy)")

        let reloaded = try TextModelFolder.load(folder.appendingPathComponent("model"))
        #expect(reloaded.architecture.classNames == ["first", "second"])
        #expect(reloaded.architecture.fineTuning.mode == mode)
        let texts = try LabeledTexts.read(
            data,
            textColumn: "text",
            labelColumn: "label",
            classNames: ["first", "second"]
        )
        let examples = reloaded.examples(texts: texts.texts, labels: texts.labels)
        #expect(reloaded.metrics(examples).accuracy >= 0.9)
    }

    @Test func headModeComputesEmbeddingsOnceAcrossEpochs() throws {
        let base = try PretrainedBertTests.writeFolder()
        defer { try? FileManager.default.removeItem(at: base) }
        let model = try TextClassifier(
            pretrained: try PretrainedBert.load(base),
            classNames: ["x", "y"],
            fineTuning: FineTuning(mode: .head),
            seed: 1
        )
        let examples = model.examples(texts: ["a b", "c d", "g"], labels: [0, 1, 0])
        let first = model.embed(examples)
        // A different encoder state would give different embeddings; the cache hands back the same storage.
        let second = model.embed(examples)
        #expect(first == second)
        #expect(examples.pooled != nil)
        // Loading head tensors keeps the cache; loading encoder tensors invalidates it.
        let key = examples.pooled?.key
        try model.load(["classifier.bias": Tensor(shape: [2])], requireAll: false, source: "test")
        _ = model.embed(examples)
        #expect(examples.pooled?.key == key)
        let weight = try #require(model.parameters["encoder.layer.0.output.dense.bias"]?.value)
        try model.load(["encoder.layer.0.output.dense.bias": weight.scaled(by: 2)], requireAll: false, source: "test")
        #expect(model.embed(examples) != first)
        #expect(examples.pooled?.key != key)
    }

    @Test func manyRowsAreScoredInChunksWithTheSameResult() throws {
        let model = try TinyBert.classifier(FineTuning(mode: .lora))
        var tokens: [[Int32]] = []
        for i in 0..<70 {
            let words: [Int32] = (0..<(1 + i % 9)).map { Int32(5 + ($0 + i) % 7) }
            tokens.append([2] + words + [3])
        }
        let examples = TextExamples(tokens: tokens, labels: tokens.indices.map { $0 % 3 }, classNames: ["x", "y", "z"])
        let together = model.logits(examples, rows: Array(0..<70)[...], training: false)
        #expect(together.shape == [70, 3])
        for row in [0, 31, 32, 33, 69] {
            let alone = model.logits(examples, rows: [row], training: false)
            for c in 0..<3 { #expect(abs(alone.scalars[c] - together.scalars[row * 3 + c]) < 1e-5) }
        }
    }
}
