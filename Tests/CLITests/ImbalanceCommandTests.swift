import FedTestSupport
import Foundation
import Testing

/// `fedtune train`'s rare-class flags, as a user types them: a two-class table with 5%
/// positives, over-sampled, with the threshold chosen for the best F1 kept in model.json.
struct ImbalanceCommandTests {
    /// 600 rows, two features; class 1 (5%) sits apart on the first feature, with noise.
    static func writeData(to url: URL) throws {
        var rows = ["a,b,label"]
        for index in 0..<600 {
            let positive = index % 20 == 0
            let a = (positive ? 1.5 : 0) + Double((index * 37) % 101) / 50 - 1
            let b = Double((index * 53) % 97) / 48 - 1
            rows.append(String(format: "%.4f,%.4f,%d", a, b, positive ? 1 : 0))
        }
        try (rows.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func oversamplingAndAThresholdTargetReachTheSavedModel() throws {
        let folder = try TemporaryFolder("fedtune-imbalance")
        defer { folder.remove() }
        let data = folder.url.appendingPathComponent("fraud.csv")
        try Self.writeData(to: data)
        let out = folder.url.appendingPathComponent("model").path

        let trained = try Command.run(
            Command.fedtune,
            [
                "train", "--data", data.path, "--label", "label", "--arch", "mlp:8", "--epochs", "5", "--out", out,
                "--validation", "0.3", "--sampling", "oversample", "--sampling-ratio", "0.5", "--threshold-target",
                "best_f1",
            ])
        #expect(trained.status == 0, "\(trained.stderr)")
        let model = try String(contentsOfFile: out + "/model.json", encoding: .utf8)
        #expect(model.contains("decisionThreshold"), "\(model)")
        // evaluate decides by the kept threshold and shows the rare-class scores.
        let scored = try Command.run(Command.fedtune, ["evaluate", "--model", out, "--data", data.path, "--label", "label"])
        #expect(scored.status == 0, "\(scored.stderr)")
        #expect(scored.stdout.contains("decisions by threshold") && scored.stdout.contains("PR-AUC"), "\(scored.stdout)")

        let refused = try Command.run(
            Command.fedtune,
            ["train", "--data", data.path, "--label", "label", "--out", out + "-2", "--sampling", "sometimes"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--sampling") && refused.stderr.contains("oversample"), "\(refused.stderr)")
    }
}
