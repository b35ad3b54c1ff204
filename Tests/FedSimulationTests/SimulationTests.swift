import FedData
import FedLearning
import FedRounds
import FedTestSupport
import Foundation
import Testing

@testable import FedSimulation

@Suite(.timeLimit(.minutes(4)))
struct SimulationTests {
    static let repository = Repository.root

    @Test func quickstartFederationBeatsThePretrainedModelAndEverySiteAlone() throws {
        let scenario = try Scenario.load(Self.repository.appendingPathComponent("scenarios/quickstart.yaml"))

        let report = try Simulation(scenario: scenario, options: .init()).run()

        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.rounds.count == 10)
        #expect(report.federatedAccuracy > report.pretrainedAccuracy!)
        #expect(report.federatedAccuracy > report.localAccuracy!)
        #expect(report.centralisedAccuracy! > report.localAccuracy!)
    }

    @Test func sameSeedGivesByteIdenticalModels() throws {
        var scenario = try Scenario.load(Self.repository.appendingPathComponent("scenarios/quickstart.yaml"))
        scenario.rounds = 3
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-sim-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }

        _ = try Simulation(
            scenario: scenario,
            options: .init(output: folder.appendingPathComponent("a"), baselines: false, keepCheckpoints: true)
        ).run()
        _ = try Simulation(
            scenario: scenario,
            options: .init(output: folder.appendingPathComponent("b"), baselines: false, keepCheckpoints: true)
        ).run()
        scenario.seed += 1
        _ = try Simulation(
            scenario: scenario,
            options: .init(output: folder.appendingPathComponent("c"), baselines: false, keepCheckpoints: true)
        ).run()

        let weights = { (run: String) in
            try Data(contentsOf: folder.appendingPathComponent("\(run)/model/model.safetensors"))
        }
        let checkpoint = { (run: String, round: Int) in
            try Data(
                contentsOf: folder.appendingPathComponent(
                    String(format: "%@/state/global-%05d.safetensors", run, round)
                )
            )
        }
        #expect(try weights("a") == weights("b"))
        #expect(try weights("a") != weights("c"))
        for round in 1...3 {
            #expect(try checkpoint("a", round) == checkpoint("b", round), "round \(round)")
        }
    }

    @Test func twoHundredVirtualSitesRunInOneProcess() throws {
        var scenario = try Scenario.load(Self.repository.appendingPathComponent("scenarios/quickstart.yaml"))
        scenario.sites = 200
        scenario.rounds = 2
        scenario.partition = .iid
        scenario.data = .synthetic(shift: 1.5, examples: 4000)
        scenario.expectations = .init()

        let report = try Simulation(scenario: scenario, options: .init(baselines: false)).run()

        #expect(report.sites == 200)
        #expect(report.rounds.allSatisfy { $0.sites == 200 })
    }

    @Test func processModeRunsTheSitesAsFedtuneProcessesOverTLS() throws {
        var scenario = try Scenario.load(Self.repository.appendingPathComponent("scenarios/quickstart.yaml"))
        scenario.rounds = 3
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-sim-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = Self.repository.appendingPathComponent(".build/debug/fedtune")

        let report = try Simulation(
            scenario: scenario,
            options: .init(output: folder, baselines: false, processes: binary)
        ).run()

        #expect(report.rounds.map(\.round) == [1, 2, 3])
        #expect(report.rounds.allSatisfy { $0.sites == 4 })
        #expect(report.federatedAccuracy > report.pretrainedAccuracy!)
        let logs = try FileManager.default.contentsOfDirectory(
            atPath: folder.appendingPathComponent("federation/sites").path
        )
        #expect(logs.count == 4)
    }

    @Test func scenarioErrorsNameTheFileAndField() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try "sites: 3\nrounds: 2\ndata: {shift: 1}\npartition: dirichlet\npretrain: {features: 2, classes: 2}\n"
            .write(to: file, atomically: true, encoding: .utf8)

        let error = #expect(throws: ScenarioError.self) { try Scenario.load(file) }

        #expect("\(error!)".contains(file.path))
        #expect("\(error!)".contains("dirichlet needs a positive alpha"))
    }
}
