import FedTestSupport
import Foundation
import Testing

/// What a new user runs into first: each mistake gets a sentence that names the fix, and
/// nothing already saved is overwritten.
@Suite(.serialized) struct RoughEdgeTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-edges-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A small tabular model trained through the CLI, and its data.
    static func tabularModel(in folder: URL) throws -> (model: String, data: String) {
        let data = folder.appendingPathComponent("data").path
        #expect(
            try Command.fedtune("datasets", "synthetic", "--out", data, "--features", "4", "--classes", "3").status == 0
        )
        let model = folder.appendingPathComponent("model").path
        let train = try Command.fedtune(
            "train",
            "--data",
            data + "/source.csv",
            "--label",
            "label",
            "--epochs",
            "2",
            "--out",
            model
        )
        #expect(train.status == 0, "\(train.stderr)")
        return (model, data + "/target.csv")
    }

    @Test func trainOntoAnExistingModelNeedsForceAndLeavesItUntouched() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (model, data) = try Self.tabularModel(in: folder)
        let before = try Data(contentsOf: URL(fileURLWithPath: model + "/model.safetensors"))
        let again = try Command.fedtune("train", "--data", data, "--label", "label", "--epochs", "1", "--out", model)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already holds a model; pass --force to replace it"), "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: model + "/model.safetensors")) == before)
        let forced = try Command.fedtune(
            "train",
            "--data",
            data,
            "--label",
            "label",
            "--epochs",
            "1",
            "--out",
            model,
            "--force"
        )
        #expect(forced.status == 0, "\(forced.stderr)")
    }

    @Test func evaluateAndPredictScoreATabularModel() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (model, data) = try Self.tabularModel(in: folder)
        let evaluation = try Command.fedtune("evaluate", "--model", model, "--data", data, "--label", "label", "--json")
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        #expect(evaluation.stdout.contains("\"accuracy\""))
        let table = try Command.fedtune("predict", "--model", model, "--data", data)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.hasPrefix("row\tlabel\tp(c0)\tp(c1)\tp(c2)\n1\t"), "\(table.stdout.prefix(80))")
        let lines = try Command.fedtune("predict", "--model", model, "--data", data, "--json").stdout.split(
            separator: "\n"
        )
        let rows = try String(contentsOfFile: data, encoding: .utf8).split(separator: "\n").count - 1
        #expect(lines.count == rows)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["row"] as? Int == 1)
        #expect(abs(((first?["probabilities"] as? [String: Double]) ?? [:]).values.reduce(0, +) - 1) < 1e-6)
    }

    @Test func inspectExportAndSimulateSayWhatTheyWant() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (model, _) = try Self.tabularModel(in: folder)
        let inspect = try Command.fedtune("inspect", model)
        #expect(
            inspect.status != 0 && inspect.stderr.contains("inspect wants a .safetensors file"),
            "\(inspect.stderr)"
        )
        let export = try Command.fedtune("export", "--model", model, "--out", folder.appendingPathComponent("hf").path)
        #expect(export.status != 0 && export.stderr.contains("is a tabular model; export writes text models"))
        let run = folder.appendingPathComponent("run").path
        let scenario = Command.repository.appendingPathComponent("scenarios/quickstart.yaml").path
        let first = try Command.fedtune("simulate", scenario, "--inprocess", "--skip-baselines", "--out", run)
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try Data(contentsOf: URL(fileURLWithPath: run + "/summary.json"))
        let second = try Command.fedtune("simulate", scenario, "--inprocess", "--skip-baselines", "--out", run)
        #expect(second.status != 0 && second.stderr.contains("give --out a new folder"), "\(second.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: run + "/summary.json")) == summary)
        let datasets = try Command.fedtune("datasets", "list")
        #expect(datasets.status == 0 && datasets.stdout.contains("breast-cancer\t"))
    }

    @Test func embedTakesACachedModelsNameLikeTrainBase() throws {
        let unknown = try Command.fedtune("embed", "--model", "no-such-model")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no model named 'no-such-model' in the catalog (known: all-MiniLM-L6-v2, efficientnet-lite0)"))
    }

    @Test func checkPrintsTheEffectiveSettingsAndRefusesASiteIdentityForTheCoordinator() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (model, _) = try Self.tabularModel(in: folder)
        let certs = folder.appendingPathComponent("certs").path
        #expect(try Command.fedtune("certs", "init", "--dir", certs).status == 0)
        #expect(try Command.fedtune("certs", "issue", "site-a", "--dir", certs).status == 0)
        let yaml = folder.appendingPathComponent("coordinator.yaml")
        let settings = "identity: certs/coordinator\nmodel: \(model)\nstate: state\nrounds: 3\nmin_sites: 2\n"
        try settings.write(to: yaml, atomically: true, encoding: .utf8)
        let check = try Command.fedtune("check", yaml.path)
        #expect(check.status == 0, "\(check.stderr)")
        for line in ["quorum: 2", "deadline_seconds: 600", "  batch_size: 32", "    kind: adamw", "# fresh"] {
            #expect(check.stdout.contains(line), "\(line) in \(check.stdout)")
        }
        try settings.replacingOccurrences(of: "certs/coordinator", with: "certs/sites/site-a")
            .write(to: yaml, atomically: true, encoding: .utf8)
        let wrong = try Command.fedtune("check", yaml.path)
        #expect(wrong.status == 1 && wrong.stderr.contains("it is not a coordinator certificate"), "\(wrong.stderr)")
        let scenario = try Command.fedtune(
            "check",
            Command.repository.appendingPathComponent("scenarios/quickstart.yaml").path
        )
        #expect(scenario.status == 0 && scenario.stdout.contains("name: quickstart"), "\(scenario.stderr)")
    }

    @Test func versionNamesTheCommit() throws {
        let version = try Command.fedtune("--version")
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("fedtune 0.4 (commit "), "\(version.stdout)")
        let commit = version.stdout.dropFirst("fedtune 0.4 (commit ".count).prefix(12)
        #expect(commit.count == 12 && commit.allSatisfy(\.isHexDigit), "\(version.stdout)")
    }
}
