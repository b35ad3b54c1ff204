import FedReport
import FedRounds
import FedTestSupport
import Foundation
import Testing

@testable import FedSimulation

/// Poisoned sites in a simulation as `fedtune simulate --inprocess` runs it: two of ten sites
/// send their update scaled by −10; plain FedAvg follows them below the pretrained model, the
/// scenario's median does not, and the round records say which rule ran.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RobustSimulationTests {
    static func poisoned() throws -> Scenario {
        try Scenario.load(Repository.root.appendingPathComponent("scenarios/digits-poisoned.yaml"))
    }

    @Test func digitsPoisonedMeetsItsExpectationsWithTheMedian() throws {
        let scenario = try Self.poisoned()
        #expect(scenario.strategy.robust == .median && scenario.attack == Attack(count: 2, kind: .scale(-10)))

        let report = try Simulation(scenario: scenario, options: .init(baselines: false)).run()

        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.rounds.allSatisfy { $0.record.aggregation?.rule == "the coordinate-wise median" })
        #expect((report.rounds.last?.testAccuracy ?? 0) > 0.88)
    }

    @Test func plainFedAvgFollowsTheHostileSites() throws {
        var scenario = try Self.poisoned()
        scenario.strategy.robust = nil

        let report = try Simulation(scenario: scenario, options: .init(baselines: false)).run()

        let accuracy = try #require(report.rounds.last?.testAccuracy)
        #expect(accuracy < (report.pretrainedAccuracy ?? 0), "FedAvg under attack: \(accuracy)")
        #expect(report.rounds.allSatisfy { $0.record.aggregation == nil })
    }

    @Test func anAttackRunsInProcessOnly() throws {
        let scenario = try Self.poisoned()
        let options = Simulation.Options(baselines: false, processes: Repository.fedtune)
        #expect {
            _ = try Simulation(scenario: scenario, options: options).run()
        } throws: { "\($0)".contains("an attack runs in process only") }
    }
}
