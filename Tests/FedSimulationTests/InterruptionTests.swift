import FedReport
import FedTestSupport
import Foundation
import Testing

@testable import FedSimulation

/// Ctrl-C on `simulate`: the run stops after a saved round and still leaves summary.json
/// and report.html for the rounds that finished.
@Suite(.serialized) struct InterruptionTests {
    @Test(arguments: [false, true])
    func anInterruptedRunKeepsTheRoundsThatFinished(processes: Bool) throws {
        var scenario = try Scenario.load(SimulationTests.repository.appendingPathComponent("scenarios/quickstart.yaml"))
        // Long enough that round 2's interruption lands well before the end.
        scenario.rounds = 30
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-interrupt-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let interruption = Interruption()
        let report = try Simulation(
            scenario: scenario,
            options: .init(
                output: folder,
                baselines: true,
                processes: processes ? Repository.fedtune : nil,
                interruption: interruption
            )
        ).run(onRound: { round in if round.round == 2 { interruption.request() } })

        let finished = try #require(report.interruptedAfter)
        #expect(finished >= 2 && finished < 30)
        #expect(report.rounds.map(\.round) == Array(1...finished))
        #expect(report.failures.isEmpty, "expectations are not judged on part of a run")
        #expect(report.summary.baseline(.centralised) == nil, "baselines are skipped")
        for file in ["summary.json", "report.html", "metrics.jsonl", "model/model.json"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file)")
        }
        let summary = try String(contentsOf: folder.appendingPathComponent("summary.json"), encoding: .utf8)
        #expect(summary.contains("Interrupted after round \(finished) of 30"))
    }
}
