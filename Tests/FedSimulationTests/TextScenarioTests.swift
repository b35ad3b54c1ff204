import FedFetch
import FedLearning
import FedReport
import FedSupport
import FedTensor
import Foundation
import OrderedCollections
import Testing

@testable import FedSimulation

/// Text scenarios go through the same pipeline as tabular ones: a small random BERT folder
/// and template sentences written by the test, sites by a `topic` column, in process and
/// with site processes.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct TextScenarioTests {
    @Test(arguments: ["head", "lora"])
    func textScenarioRunsWithEveryBaselineInProcess(mode: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-text-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try Scenario.load(try TinyTextScenario.write(in: folder, mode: mode))
        let out = folder.appendingPathComponent("run")

        let report = try Simulation(scenario: scenario, options: .init(output: out)).run()

        #expect(report.summary.siteNames == ["north", "south", "west"])
        #expect(report.rounds.count == 3)
        #expect(report.summary.classNames == TinyTextScenario.classes)
        let pretrained = try #require(report.summary.baseline(.pretrained))
        #expect(pretrained.name == "Pretrained + linear probe")
        #expect(report.summary.baselines.filter { $0.kind == .siteAlone }.count == 3)
        #expect(report.centralisedAccuracy != nil)
        #expect(report.summary.notes.contains { $0.contains("linear probe") })
        // Three classes: a model that learnt nothing scores about a third.
        #expect(report.federatedAccuracy > 0.5, "\(ComparisonText.render(report.summary))")
        #expect(report.federatedAccuracy > report.localAccuracy!, "\(ComparisonText.render(report.summary))")
        #expect(report.failures.isEmpty, "\(report.failures)")
        guard case .text(let model) = try AnyClassifier.load(RunFolder(out).modelURL) else {
            Issue.record("the run's model folder is not a text model")
            return
        }
        #expect(model.architecture.fineTuning.mode.rawValue == mode)
        let trainable = model.parameters.values(trainableOnly: true).keys
        #expect(trainable.allSatisfy { $0.hasPrefix("classifier.") || (mode == "lora" && $0.contains(".lora_")) })
        #expect(FileManager.default.fileExists(atPath: RunFolder(out).reportURL.path))
    }

    @Test func headModeComputesEachEmbeddingOnceForTheWholeRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-text-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try Scenario.load(try TinyTextScenario.write(in: folder, mode: "head"))
        let setup = try SimulationSetup<TextClassifier>.text(scenario, cache: .init(root: folder), log: { _ in })
        let before = setup.model.embed(setup.test)

        _ = try InProcessFederation(scenario: scenario, setup: setup, training: scenario.local).run()

        // Rounds move only head tensors, so the test set's cached embeddings are the same object's.
        let after = setup.model.embed(setup.test)
        #expect(
            after.scalars.withUnsafeBufferPointer { $0.baseAddress }
                == before.scalars.withUnsafeBufferPointer { $0.baseAddress }
        )
        #expect(setup.probe === setup.model)
    }

    @Test func textScenarioRunsWithSiteProcesses() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-text-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try Scenario.load(try TinyTextScenario.write(in: folder, mode: "lora", rounds: 2))
        let binary = SimulationTests.repository.appendingPathComponent(".build/debug/fedtune")
        let out = folder.appendingPathComponent("run")

        let report = try Simulation(
            scenario: scenario,
            options: .init(output: out, baselines: false, processes: binary)
        ).run()

        #expect(report.rounds.map(\.round) == [1, 2])
        #expect(report.rounds.allSatisfy { $0.sites == 3 })
        #expect(report.rounds.allSatisfy { ($0.bytes ?? 0) > 0 })
        let site = try String(
            contentsOf: out.appendingPathComponent("federation/sites/north/data.csv"),
            encoding: .utf8
        )
        #expect(site.hasPrefix("text,label\n"))
        let siteFolder = out.appendingPathComponent("federation/sites/north")
        #expect(FileManager.default.fileExists(atPath: siteFolder.appendingPathComponent("client.log").path))
        #expect(
            !FileManager.default.fileExists(atPath: siteFolder.appendingPathComponent("cache").path),
            "the site's copy of the base model is pruned"
        )
        // Skipping the baselines skips a text model's linear probe too (it trains on the pooled data).
        #expect(report.summary.baseline(.pretrained) == nil)

        // The coordinator's last checkpoint becomes a model folder that evaluate and predict
        // score, through the CLI as an operator runs them.
        let exported = folder.appendingPathComponent("exported").path
        let export = try Self.fedtune(
            binary,
            ["checkpoint", "export", out.appendingPathComponent("federation/state").path, "--out", exported]
        )
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("the global model after round 2"))
        let again = try Self.fedtune(
            binary,
            ["checkpoint", "export", out.appendingPathComponent("federation/state").path, "--out", exported]
        )
        #expect(again.status == 1 && again.stderr.contains("already exists"), "nothing saved is overwritten")
        let texts = folder.appendingPathComponent("texts.csv").path
        let evaluation = try Self.fedtune(
            binary,
            ["evaluate", "--model", exported, "--data", texts, "--label", "label", "--json"]
        )
        #expect(evaluation.status == 0, "\(evaluation.stderr)")
        let metrics = try JSONSerialization.jsonObject(with: Data(evaluation.stdout.utf8)) as? [String: Any]
        #expect(((metrics?["accuracy"] as? Double) ?? 0) > 0.5, "\(evaluation.stdout)")
        let prediction = try Self.fedtune(binary, ["predict", "--model", exported, "--data", texts, "--json"])
        #expect(prediction.status == 0, "\(prediction.stderr)")
        let lines = prediction.stdout.split(separator: "\n")
        #expect(lines.count == 135)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        let probabilities = first?["probabilities"] as? [String: Double] ?? [:]
        #expect(Set(probabilities.keys) == Set(TinyTextScenario.classes))
        #expect(abs(probabilities.values.reduce(0, +) - 1) < 1e-6)
        #expect(TinyTextScenario.classes.contains(first?["label"] as? String ?? ""))

        // The LoRA fine-tune as a PEFT adapter folder for the base BERT, checked with
        // Python's safetensors the way peft names and shapes its tensors.
        let peft = folder.appendingPathComponent("peft").path
        let adapter = try Self.fedtune(binary, ["export", "--model", exported, "--peft", "--out", peft])
        #expect(adapter.status == 0, "\(adapter.stderr)")
        let check = try Self.fedtune(
            URL(fileURLWithPath: "/usr/bin/env"),
            [
                "python3",
                SimulationTests.repository.appendingPathComponent("scripts/fixtures/check_peft_adapter.py").path,
                peft, folder.appendingPathComponent("tiny-bert/model.safetensors").path,
            ]
        )
        #expect(check.status == 0, "\(check.stderr)")
        // Two layers, query and value adapted: four modules, rank 4 as the scenario asks.
        #expect(check.stdout.contains(#""modules": 4, "r": 4"#), "\(check.stdout)")

        // Checkpoints and the exported folder keep only adapters and head; the frozen encoder
        // is read from the base, named by its SHA-256. Without the base, the operator is told
        // which one and how to fetch it, and nothing is scored.
        let checkpoint = out.appendingPathComponent("federation/state/global-00002.safetensors")
        for file in [checkpoint, URL(fileURLWithPath: exported).appendingPathComponent("model.safetensors")] {
            let names = try Safetensors.read(contentsOf: file).tensors.keys
            #expect(
                !names.isEmpty && names.allSatisfy { $0.contains(".lora_") || $0.hasPrefix("classifier.") },
                "\(file.path)"
            )
        }
        #expect(!FileManager.default.fileExists(atPath: exported + "/vocab.txt"))
        let bert = folder.appendingPathComponent("tiny-bert")
        let digest = try sha256Hex(contentsOf: bert.appendingPathComponent("model.safetensors"))
        let moved = folder.appendingPathComponent("elsewhere")
        try FileManager.default.moveItem(at: bert, to: moved)
        let emptyCache = folder.appendingPathComponent("empty-cache").path
        let orphan = try Self.fedtune(
            binary,
            ["evaluate", "--model", exported, "--data", texts, "--label", "label", "--cache", emptyCache]
        )
        #expect(orphan.status == 1)
        #expect(
            orphan.stderr.contains(digest) && orphan.stderr.contains("fedtune models fetch tiny-bert"),
            "\(orphan.stderr)"
        )
        // Fetched (here: copied) into the cache, the base is found there by its digest.
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: emptyCache).appendingPathComponent("models"),
            withIntermediateDirectories: true
        )
        try FileManager.default.copyItem(
            at: moved,
            to: URL(fileURLWithPath: emptyCache).appendingPathComponent("models/tiny-bert")
        )
        let found = try Self.fedtune(
            binary,
            ["evaluate", "--model", exported, "--data", texts, "--label", "label", "--cache", emptyCache, "--json"]
        )
        #expect(found.status == 0 && found.stdout == evaluation.stdout, "\(found.stderr)")
    }

    /// Runs the fedtune binary to the end; its status and output.
    static func fedtune(_ binary: URL, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let (output, errors) = (Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self)
        )
    }
}

extension RunSummary {
    var siteNames: [String] { self.sites.map(\.name) }
}
