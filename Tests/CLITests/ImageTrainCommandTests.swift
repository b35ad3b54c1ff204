import FedTestSupport
import Foundation
import Testing

/// `fedtune train`, `evaluate` and `predict` on images, through the binary users run: a
/// fine-tune of EfficientNet-Lite0 on the test suite's small PneumoniaMNIST subset, and the
/// refusals a user meets first.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FEDTUNE_SKIP_PYPI"] == nil))
struct ImageTrainCommandTests {
    static let subset = Repository.root.appendingPathComponent(
        "Tests/Fixtures/pneumoniamnist-small/pneumoniamnist-small.npz"
    ).path

    @Test func trainEvaluateAndPredictAnImageModel() async throws {
        let folder = try TemporaryFolder("image-train")
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("tuned").path

        let train = try await Self.fedtune(
            "train", "--data", Self.subset, "--class-names", "normal,pneumonia", "--base", "efficientnet-lite0",
            "--mode", "head", "--image-size", "32", "--epochs", "8", "--lr", "0.01", "--test", "0.2", "--out", out
        )

        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("saved \(out)"))
        let json = try String(contentsOfFile: out + "/model.json", encoding: .utf8)
        #expect(json.contains("fedtune.image-classifier") && json.contains("\"head\""))
        // Head mode on a named base: the folder keeps only the new classifier.
        let size = try FileManager.default.attributesOfItem(atPath: out + "/model.safetensors")[.size] as! Int
        #expect(size < 20_000)

        let evaluate = try await Self.fedtune("evaluate", "--model", out, "--data", Self.subset, "--json")
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let metrics = try JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8)) as? [String: Any]
        let accuracy = try #require(metrics?["accuracy"] as? Double)
        #expect(accuracy > 0.75, "\(evaluate.stdout)")

        let predict = try await Self.fedtune("predict", "--model", out, "--data", Self.subset, "--json")
        #expect(predict.status == 0, "\(predict.stderr)")
        let lines = predict.stdout.split(separator: "\n")
        #expect(lines.count == 500)
        #expect(lines.first?.contains("\"p(pneumonia)\"") == true || lines.first?.contains("pneumonia") == true)
    }

    @Test func aLoraModeOrAMissingBaseIsRefusedInPlainWords() async throws {
        let folder = try TemporaryFolder("image-train-refused")
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("tuned").path

        let lora = try await Self.fedtune(
            "train", "--data", Self.subset, "--base", "efficientnet-lite0", "--mode", "lora", "--out", out
        )
        #expect(lora.status != 0)
        #expect(lora.stderr.contains("--mode for an image model must be one of head, last-n, full"))

        let noBase = try await Self.fedtune("train", "--data", Self.subset, "--out", out)
        #expect(noBase.status != 0)
        #expect(noBase.stderr.contains("image training needs --base"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// `fedtune ARGS` run off the cooperative pool (it waits for a child process that trains).
    static func fedtune(_ arguments: String...) async throws -> Command.Output {
        try await offThePool { try Command.run(Command.fedtune, arguments) }
    }
}
