import FedClient
import FedCoordinator
import FedData
import FedFetch
import FedLearning
import FedRounds
import FedTLS
import FedTensor
import FedWire
import Foundation
import OrderedCollections
import Testing

/// The MiniLM classifier fine-tuned with LoRA by three sites over mutual TLS: held-out
/// accuracy improves on the pretrained model with its new head, and after the first round
/// only adapter and head tensors travel, which the coordinator's byte counts show.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct TextFederationTests {
    @Test func loraFederationImprovesAccuracyAndMovesOnlyAdaptersAndHeadAfterTheFirstRound() async throws {
        let sites = ["clinic-a", "clinic-b", "clinic-c"]
        let minilm = try ArtifactCache(root: ArtifactCache.defaultRoot()).model(named: "all-MiniLM-L6-v2")
        let fineTuning = FineTuning(
            mode: .lora,
            lora: LoRASettings(rank: 8, alpha: 16, dropout: 0.1, targets: ["query", "value"])
        )
        let model = try TextClassifier(
            pretrained: try PretrainedBert.load(minilm),
            classNames: TopicTexts.classes,
            fineTuning: fineTuning,
            seed: 3
        )
        let (folder, prepared, configurations) = try FederationTests.prepare(
            sites: sites,
            writeModel: { try TextModelFolder.save(model, to: $0) },
            writeData: { index, csv in
                let data = TopicTexts.make(count: 30, offset: index * 11)
                try CSVText.write(
                    header: ["text", "label"],
                    rows: zip(data.texts, data.labels).map { [$0, TopicTexts.classes[$1]] },
                    to: csv
                )
            }
        )
        defer { try? FileManager.default.removeItem(at: folder) }
        var coordinator = prepared
        coordinator.policy = RoundPolicy(rounds: 3, minSites: sites.count, deadlineSeconds: 240)
        coordinator.clipNorm = nil
        coordinator.training.epochs = 2
        coordinator.training.batchSize = 8
        coordinator.training.learningRate = 0.003
        let rounds = try await FederationTests.federate(
            try Coordinator(configuration: coordinator, logger: FederationTests.quiet),
            sites: configurations.map(FederationTests.honest)
        )
        #expect(rounds == [3, 3, 3, 3])

        // Bytes: the 90 MB base model once per site in round 1, then only adapters and head.
        let trainable = model.parameters.values(trainableOnly: true)
        #expect(trainable.keys.allSatisfy { $0.contains(".lora_") || $0.hasPrefix("classifier.") })
        #expect(trainable.keys.filter { $0.contains(".lora_") }.count == 6 * 2 * 2)
        let trainableBytes = ModelPackage.encodeTrainable(trainable).count
        let records = try StateFolder(coordinator.state).records()
        try #require(records.count == 3)
        let first = try #require(records[0].bytes)
        #expect(
            first.baseModel == 3
                * ModelPackage.encode(
                    metadata: try AnyClassifier.text(model).packageMetadata(),
                    tensors: model.parameters.values()
                ).count
        )
        #expect(first.baseModel > 3 * 80_000_000)
        for record in records {
            let bytes = try #require(record.bytes)
            #expect(bytes.trainable == 3 * trainableBytes)
            #expect(bytes.updates == 3 * trainableBytes)
            if record.round > 1 { #expect(bytes.baseModel == 0) }
        }
        #expect(trainableBytes < 320_000)

        // Accuracy on texts no site had, before and after.
        let test = TopicTexts.make(count: 60, offset: 97)
        let before = model.metrics(model.examples(texts: test.texts, labels: test.labels)).accuracy
        let state = StateFolder(coordinator.state)
        let blob = try Data(contentsOf: state.checkpointURL(round: 3))
        guard case .text(let tuned) = try ModelPackage.decodeAny(blob, source: "checkpoint") else {
            Issue.record("the checkpoint is not a text model")
            return
        }
        let after = tuned.metrics(tuned.examples(texts: test.texts, labels: test.labels)).accuracy
        // Checkpoints and the final model folder keep adapters and head, not the 90 MB encoder.
        let finalWeights = state.finalModelURL.appendingPathComponent("model.safetensors")
        let finalBytes = try #require(
            try FileManager.default.attributesOfItem(atPath: finalWeights.path)[.size] as? Int
        )
        #expect(blob.count < 1_000_000 && finalBytes < 1_000_000)
        print(
            "LoRA federation: accuracy \(before) → \(after); base model \(first.baseModel / 3) bytes, per round per site \(trainableBytes) bytes each way; checkpoint \(blob.count) bytes, final model.safetensors \(finalBytes) bytes"
        )
        #expect(after > before + 0.2, "pretrained with new head \(before), federated \(after)")
        #expect(after >= 0.9, "federated \(after)")
    }
}
