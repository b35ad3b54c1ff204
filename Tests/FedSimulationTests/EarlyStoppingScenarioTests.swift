import FedReport
import FedRounds
import FedTensor
import FedTestSupport
import Foundation
import OrderedCollections
import Testing

@testable import FedSimulation

/// Early stopping as a user runs it: `early_stopping` in a scenario, in process and with a
/// coordinator and site processes. With `min_delta` far above any change of the loss, round
/// 1 stays the best, rounds 2 and 3 do not improve (patience 2), round 3's evaluation ends
/// the run and round 4, already training, is the last; the federated model is round 1's.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct EarlyStoppingScenarioTests {
    static func scenario(in folder: URL) throws -> Scenario {
        let text = try String(contentsOf: Repository.scenario("quickstart"), encoding: .utf8)
            + "early_stopping: {patience: 2, min_delta: 10}\n"
        let file = folder.appendingPathComponent("early.yaml")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return try Scenario.load(file)
    }

    @Test(arguments: [false, true])
    func theRunEndsAfterPatienceRoundsAndTheBestRoundIsTheModel(processes: Bool) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-early-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try Self.scenario(in: folder)
        let report = try Simulation(
            scenario: scenario,
            options: .init(
                output: folder.appendingPathComponent("run"), baselines: false,
                processes: processes ? Repository.fedtune : nil, keepCheckpoints: true)
        ).run()

        #expect(report.rounds.map(\.round) == [1, 2, 3, 4])
        let last = try #require(report.rounds.last?.record.earlyStopping)
        #expect(last.stopped && last.bestRound == 1 && last.patience == 2)
        // The result is round 1's model: its test accuracy, not the last round's.
        #expect(report.federatedAccuracy == report.rounds[0].testAccuracy)
        #expect(report.rounds[0].testAccuracy != report.rounds[3].testAccuracy)
        #expect(report.summary.notes.contains { $0.contains("Early stopping ended the run after round 4 of 10") })
        if processes {
            // The coordinator's final model folder is round 1's checkpoint, not round 4's.
            let state = folder.appendingPathComponent("run/federation/state")
            let final = try Safetensors.read(contentsOf: state.appendingPathComponent("model/model.safetensors"))
            let first = try Safetensors.read(contentsOf: state.appendingPathComponent("global-00001.safetensors"))
            let fourth = try Safetensors.read(contentsOf: state.appendingPathComponent("global-00004.safetensors"))
            let name = try #require(first.tensors.keys.first)
            #expect(final.tensors[name] == first.tensors[name] && final.tensors[name] != fourth.tensors[name])
        }
    }

    @Test func earlyStoppingKeysAreChecked() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-early-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let base = try String(contentsOf: Repository.scenario("quickstart"), encoding: .utf8)
        for (line, message) in [
            ("early_stopping: {patience: 0}", "early_stopping.patience must be in 1...10000, found 0"),
            ("early_stopping: {patience: 2, delta: 1}", "delta"),
        ] {
            let file = folder.appendingPathComponent("bad.yaml")
            try (base + line + "\n").write(to: file, atomically: true, encoding: .utf8)
            #expect { try Scenario.load(file) } throws: { "\($0)".contains(message) }
        }
    }
}
