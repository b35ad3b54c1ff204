import FedCoordinator
import FedLearning
import FedReport
import FedRounds
@testable import FedSimulation
import FedTensor
import FedTestSupport
import Foundation
import OrderedCollections
import Testing

/// EfficientNet-Lite0 fine-tuned across hospitals as users run it: a coordinator and one
/// `fedtune client` process per hospital over mutual TLS, the base model sent once and only
/// the trained tensors (batch-norm statistics included) each round after; and FedBN, whose
/// batch norms never leave the sites.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FEDTUNE_SKIP_PYPI"] == nil))
struct ImageFederationTests {
    static func scenario(rounds: Int) throws -> Scenario {
        var scenario = try Scenario.load(Repository.scenario("pneumonia-hospitals-small"))
        scenario.rounds = rounds
        scenario.image?.fineTuning = ImageFineTuning(mode: .lastLayers, layers: 1)
        scenario.expectations = .init()
        return scenario
    }

    @Test func hospitalProcessesFineTuneOverTLSAndSendOnlyTheTrainedTensors() async throws {
        let folder = try TemporaryFolder("image-federation")
        defer { folder.remove() }
        let scenario = try Self.scenario(rounds: 2)

        let report = try await offThePool {
            try Simulation(
                scenario: scenario,
                options: .init(output: folder.url, baselines: false, processes: Repository.fedtune)
            ).run()
        }

        #expect(report.rounds.map(\.round) == [1, 2])
        #expect(report.rounds.allSatisfy { $0.sites == 2 })
        let records = try StateFolder(folder.url.appendingPathComponent("federation/state")).records()
        let bytes = try #require(records.first?.bytes)
        // Round 1 carries the 13.7 MB base model (the backbone and the new 2-class
        // classifier) to both hospitals; every round after, only the last block, the head
        // convolution, their batch norms and the classifier: 4.0 MB per hospital each way.
        #expect(bytes.baseModel > 2 * 13_000_000)
        #expect(records.dropFirst().allSatisfy { $0.bytes?.baseModel == 0 })
        let trainable = try #require(records.last?.bytes?.trainable)
        #expect(trainable > 0 && trainable * 3 < bytes.baseModel)
        let state = StateFolder(folder.url.appendingPathComponent("federation/state"))
        let checkpoint = try Safetensors.read(contentsOf: state.checkpointURL(round: 2)).tensors
        #expect(checkpoint.keys.contains("_blocks.15._bn2.running_var"))
        #expect(!checkpoint.keys.contains("_blocks.14._depthwise_conv.weight"))
    }

    @Test func fedBNKeepsEachHospitalsBatchNormsAtHome() async throws {
        var scenario = try Self.scenario(rounds: 2)
        scenario.image?.fineTuning = ImageFineTuning(mode: .lastLayers, layers: 1, batchNorm: .local)
        let folder = try TemporaryFolder("image-fedbn")
        defer { folder.remove() }

        let settings = scenario
        let report = try await offThePool {
            try Simulation(
                scenario: settings,
                options: .init(output: folder.url, baselines: false, keepCheckpoints: true)
            ).run()
        }

        #expect(report.rounds.count == 2)
        let state = StateFolder(folder.url.appendingPathComponent("state"))
        let tensors = try Safetensors.read(contentsOf: state.checkpointURL(round: 2)).tensors
        #expect(tensors.keys.contains("_blocks.15._project_conv.weight"))
        #expect(!tensors.keys.contains(where: { $0.contains("_bn") }))
        let summary = try String(contentsOf: folder.url.appendingPathComponent("summary.json"), encoding: .utf8)
        #expect(summary.contains("FedBN"))
    }

    @Test func theReducedPneumoniaScenarioMeetsItsExpectations() async throws {
        let scenario = try Scenario.load(Repository.scenario("pneumonia-hospitals-small"))

        let report = try await offThePool { try Simulation(scenario: scenario, options: .init()).run() }

        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.summary.expectations.count == 3)
        #expect(report.summary.expectations.allSatisfy { $0.passed })
    }
}
