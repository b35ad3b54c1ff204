import FedLearning
import FedRounds
import FedTensor
import Foundation
import Testing

@testable import FedSimulation

/// Exact LoRA aggregation (`lora: {exact: true}`) as a user runs it: a scenario in process and
/// with site processes, the coordinator's checkpoints carrying the residuals, the exported
/// model merging them, and a PEFT export refused because an adapter cannot hold them.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct LoRAExactScenarioTests {
    static func residuals(_ model: TextClassifier) -> [Parameter] {
        model.parameters.entries.filter { LoRAExactAggregation.isResidual($0.name) }
    }

    @Test func anExactScenarioRunsInProcessAndItsModelCarriesTheResiduals() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-exact-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try Scenario.load(try TinyTextScenario.write(in: folder, mode: "lora", lora: ", exact: true"))
        let out = folder.appendingPathComponent("run")

        let report = try Simulation(scenario: scenario, options: .init(output: out, baselines: false)).run()

        #expect(report.rounds.count == 3 && report.failures.isEmpty, "\(report.failures)")
        #expect(report.federatedAccuracy > 0.5)
        // The residuals go to the sites each round but never come back.
        let bytes = try #require(report.rounds.first?.record.bytes)
        #expect(bytes.updates * 2 < bytes.trainable, "\(bytes)")
        guard case .text(let model) = try AnyClassifier.load(RunFolder(out).modelURL) else {
            Issue.record("the run's model folder is not a text model")
            return
        }
        #expect(model.architecture.fineTuning.lora.exact)
        // Two layers, query and value: four residuals, moved by the rounds.
        let residuals = Self.residuals(model)
        #expect(residuals.count == 4 && residuals.allSatisfy { $0.value.scalars.contains { $0 != 0 } })
    }

    @Test func anExactScenarioRunsWithSiteProcessesAndRefusesAPEFTExport() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-exact-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try Scenario.load(
            try TinyTextScenario.write(in: folder, mode: "lora", rounds: 2, lora: ", exact: true"))
        let binary = SimulationTests.repository.appendingPathComponent(".build/debug/fedtune")
        let out = folder.appendingPathComponent("run")

        let report = try Simulation(
            scenario: scenario, options: .init(output: out, baselines: false, processes: binary)
        ).run()

        #expect(report.rounds.map(\.round) == [1, 2] && report.rounds.allSatisfy { $0.sites == 3 })
        let exported = folder.appendingPathComponent("exported").path
        let export = try TextScenarioTests.fedtune(
            binary, ["checkpoint", "export", out.appendingPathComponent("federation/state").path, "--out", exported])
        #expect(export.status == 0, "\(export.stderr)")
        guard case .text(let model) = try AnyClassifier.load(URL(fileURLWithPath: exported)) else {
            Issue.record("the exported checkpoint is not a text model")
            return
        }
        #expect(Self.residuals(model).count == 4)
        #expect(Self.residuals(model).allSatisfy { $0.value.scalars.contains { $0 != 0 } })

        let peft = try TextScenarioTests.fedtune(
            binary, ["export", "--model", exported, "--peft", "--out", folder.appendingPathComponent("peft").path])
        #expect(peft.status == 1 && peft.stderr.contains("residual weights a PEFT adapter cannot hold"), "\(peft.stderr)")
        let merged = try TextScenarioTests.fedtune(
            binary, ["export", "--model", exported, "--out", folder.appendingPathComponent("hf").path])
        #expect(merged.status == 0, "\(merged.stderr)")
    }

    @Test func exactAggregationWithAServerOptimizerIsRefusedNamingTheKeys() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-exact-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try Scenario.load(
            try TinyTextScenario.write(
                in: folder, mode: "lora", rounds: 1, lora: ", exact: true", extra: "strategy: {optimizer: fedadam}"))

        #expect {
            try Simulation(scenario: scenario, options: .init(output: folder.appendingPathComponent("run"), baselines: false))
                .run()
        } throws: { "\($0)".contains("lora.exact needs strategy.optimizer fedavg with server_learning_rate 1") }
    }
}
