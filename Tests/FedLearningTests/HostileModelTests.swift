import FedSupport
import FedTensor
import Foundation
import Testing

@testable import FedLearning

/// Model descriptions and training settings a hostile peer or a broken file may hold: each
/// is refused with the field named, by checked arithmetic before anything is allocated,
/// never by a crash (a sweep found overflowing shapes and ranges that trapped).
struct HostileModelTests {
    /// A text model folder whose model.json is `change`d from a valid tiny one.
    static func textFolder(_ change: (inout [String: Any]) -> Void) throws -> URL {
        let (model, base) = try SmallTextModelTests.tuned(.lora)
        let folder = SmallTextModelTests.temporaryFolder()
        try TextModelFolder.save(model, to: folder)
        let url = folder.appendingPathComponent("model.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        change(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        _ = base
        return folder
    }

    @Test(
        arguments: [
            ("hidden_size", 1 << 62, "weights"),
            ("hidden_size", Int.max, "weights"),
            ("intermediate_size", 100_000_000_000, "weights"),
            ("num_hidden_layers", 1 << 40, "weights"),
            ("max_position_embeddings", 1, "maxLength must be in 2...1"),
            ("num_hidden_layers", 0, "must be at least 1"),
        ]
    )
    func anAbsurdEncoderIsRefusedNamingTheField(key: String, value: Int, expected: String) throws {
        let folder = try Self.textFolder { json in
            var encoder = json["encoder"] as! [String: Any]
            encoder[key] = value
            json["encoder"] = encoder
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let message = PretrainedBertTests.message { _ = try TextModelFolder.load(folder) }
        #expect(message.contains("model.json") && message.contains(expected), "\(message)")
    }

    @Test func aLoRARankAboveTheWidthIsRefused() throws {
        let folder = try Self.textFolder { json in
            json["fineTuning"] = ["mode": "lora", "lora": ["rank": 1 << 50]]
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let message = PretrainedBertTests.message { _ = try TextModelFolder.load(folder) }
        #expect(message.contains("fineTuning.lora.rank must be at most the hidden size"), "\(message)")
    }

    /// 100000 × 100000 with a few tensors: 40 GB the file does not hold, refused unallocated.
    @Test(arguments: [[100_000, 100_000], [1 << 62], [Int.max, 2]])
    func aTabularModelBiggerThanItsFileIsRefused(hidden: [Int]) throws {
        let folder = SmallTextModelTests.temporaryFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var architecture = ModelArchitecture(
            inputs: 2,
            hidden: [3],
            classes: 2,
            featureNames: ["a", "b"],
            classNames: ["x", "y"]
        )
        try ModelFolder.save(Classifier(architecture: architecture, seed: 1), to: folder)
        architecture.hidden = hidden
        try JSONEncoder().encode(architecture).write(to: folder.appendingPathComponent("model.json"))
        let message = PretrainedBertTests.message { _ = try ModelFolder.load(folder) }
        #expect(message.contains("weights"), "\(message)")
    }

    @Test(
        arguments: [
            (#"{"epochs": 4611686018427387904}"#, "epochs must be in 1...10000"),
            (#"{"warmup_fraction": 1e308}"#, "warmup_fraction must be in 0...1"),
            (#"{"batch_size": -1}"#, "batch_size must be in 1...1000000"),
            (#"{"learning_rate": 1e30}"#, "learning_rate must be a number in (0, 10]"),
            (#"{"class_weights": [1, -2]}"#, "class_weights must be numbers"),
            (#"{"optimizer": {"beta2": 1.5}}"#, "optimizer.beta2 must be in [0, 1)"),
            (#"{"patience": 0}"#, "patience must be in 1...10000"),
        ]
    )
    func trainingSettingsOutOfRangeAreRefusedNamingTheKey(json: String, expected: String) {
        let message = PretrainedBertTests.message {
            _ = try JSONDecoder().decode(TrainingConfiguration.self, from: Data(json.utf8))
        }
        #expect(message.contains(expected), "\(message)")
    }

    @Test func theDefaultsAndEveryDocumentedExampleAreInRange() throws {
        #expect(TrainingConfiguration().problems.isEmpty)
        let configuration = try JSONDecoder().decode(
            TrainingConfiguration.self,
            from: Data(#"{"epochs": 3, "batch_size": 8, "learning_rate": 0.02, "warmup_fraction": 0.1}"#.utf8)
        )
        #expect(configuration.epochs == 3)
    }
}
