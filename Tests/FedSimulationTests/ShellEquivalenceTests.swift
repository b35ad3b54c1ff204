import FedCoordinator
import FedRounds
import FedTestSupport
import Foundation
import Testing

@testable import FedSimulation

/// The two shells around the federation core decide alike: `simulate --inprocess` and a
/// real coordinator with `fedtune client` processes over mutual TLS write the same
/// rounds.jsonl and evaluations.jsonl for the same seed, field by field, times aside.
struct ShellEquivalenceTests {
    /// A record without what depends on the clock (the round's seconds, the sites' training time).
    static func timeless(_ record: RoundRecord) -> RoundRecord {
        var record = record
        record.seconds = 0
        record.trainMetrics["seconds"] = nil
        return record
    }

    @Test func inProcessAndSiteProcessesWriteTheSameRecords() throws {
        var scenario = try Scenario.load(SimulationTests.repository.appendingPathComponent("scenarios/quickstart.yaml"))
        // Two sites: a running sum of two updates has the same bits whichever arrives first,
        // so even the checkpoints' digests agree. (With more sites the order in which updates
        // arrive can move the sum's last bit.)
        scenario.sites = 2
        scenario.rounds = 3
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-shells-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = Repository.fedtune

        _ = try Simulation(
            scenario: scenario,
            options: .init(output: folder.appendingPathComponent("in"), baselines: false)
        ).run()
        _ = try Simulation(
            scenario: scenario,
            options: .init(output: folder.appendingPathComponent("out"), baselines: false, processes: binary)
        ).run()

        let inProcess = StateFolder(folder.appendingPathComponent("in/state"))
        let processes = StateFolder(folder.appendingPathComponent("out/federation/state"))
        let ours = try inProcess.records().map(Self.timeless)
        let theirs = try processes.records().map(Self.timeless)
        #expect(ours.map(\.round) == [1, 2, 3])
        #expect(ours == theirs)
        #expect(ours.allSatisfy { $0.bytes?.updates ?? 0 > 0 && !$0.digest.isEmpty })
        let evaluations = try inProcess.evaluations()
        #expect(evaluations.map(\.round) == [1, 2, 3])
        // Site processes run OpenBLAS on one thread, this process on two: on some CPUs (seen on
        // an AMD EPYC without AVX-512) the split moves the last bit of a float loss. Who took
        // part, the counts and the metric names must agree exactly, the values to 1e-6.
        let theirEvaluations = try processes.evaluations()
        #expect(evaluations.map(\.sites) == theirEvaluations.map(\.sites))
        #expect(evaluations.map(\.examples) == theirEvaluations.map(\.examples))
        for (ours, theirs) in zip(evaluations, theirEvaluations) {
            #expect(ours.metrics.keys.sorted() == theirs.metrics.keys.sorted())
            for (name, value) in ours.metrics {
                #expect(abs(value - (theirs.metrics[name] ?? .nan)) <= 1e-6, "round \(ours.round) \(name)")
            }
        }
    }
}
