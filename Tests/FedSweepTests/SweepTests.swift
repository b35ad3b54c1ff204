import FedLearning
import FedSimulation
import FedSupport
import FedSweep
import FedTestSupport
import Foundation
import Testing

/// Small sweeps of the quickstart scenario (10 rounds, four sites, under a second a trial).
@Suite struct SweepTests {
    static let space = """
        learning_rate: {low: 0.0003, high: 0.03, log: true}
        local_epochs: {low: 1, high: 3}
        batch_size: {choices: [16, 32, 64]}
        proximal_mu: {choices: [0, 0.01, 0.1]}
        server_learning_rate: {low: 0.3, high: 2, log: true}
        clip_norm: {low: 1, high: 20, log: true}
        """

    private func configuration(_ folder: TemporaryFolder, name: String, trials: Int) throws -> SweepConfiguration {
        let space = folder.url.appendingPathComponent("space.yaml")
        try Data(Self.space.utf8).write(to: space)
        var configuration = SweepConfiguration(
            scenario: Repository.scenario("quickstart"),
            space: space,
            folder: folder.url.appendingPathComponent(name),
            trials: trials
        )
        configuration.sampler.startupTrials = 2
        configuration.finalRun = false
        return configuration
    }

    /// What must repeat exactly: every trial's settings, status and scores (not its seconds).
    private func outcome(_ trials: [Trial]) -> [String] {
        trials.map { "\($0.number) \($0.status) \($0.settings.sorted { $0.key < $1.key }) \($0.scores)" }
    }

    @Test func aSmallSweepWritesItsTrialsTableReportAndARunnableBestScenario() async throws {
        let folder = try TemporaryFolder("fedtune-sweep")
        defer { folder.remove() }
        var configuration = try self.configuration(folder, name: "sweep", trials: 5)
        configuration.finalRun = true
        configuration.parallel = 2
        let result = try await offThePool { try Sweep(configuration).run() }
        #expect(result.finished)
        #expect(result.trials.map(\.number) == [0, 1, 2, 3, 4])
        #expect(result.trials.allSatisfy { $0.status == .complete || $0.status == .pruned })
        // The first trial to reach a rung is alone there and promoted, so one trial always finishes
        // (which one depends on the order two parallel trials arrive in).
        #expect(result.trials.contains { $0.status == .complete && $0.rounds == 10 })
        #expect(result.trials.filter { $0.status == .pruned }.allSatisfy { [1, 3, 9].contains($0.rounds) })
        let best = try #require(result.best)
        #expect(best.lastScore! >= result.trials.filter { $0.status == .complete }.compactMap(\.lastScore).max()!)
        #expect(result.testAccuracy.map { $0 > 0.5 } == true)

        let out = configuration.folder
        let table = try String(contentsOf: out.appendingPathComponent("trials.txt"), encoding: .utf8)
        #expect(table.contains("learning_rate") && table.contains("\(best.number)*"))
        let report = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(report.contains("<svg") && report.contains("Best so far") && report.contains("Sweep of quickstart"))
        #expect(try TrialLog(out.appendingPathComponent("trials.jsonl")).read() == result.trials)

        // best.yaml is the quickstart scenario with the best trial's values.
        let scenario = try Scenario.load(try #require(result.bestScenario))
        #expect(scenario.name == "quickstart" && scenario.rounds == 10 && scenario.sites == 4)
        #expect(Double(scenario.local.learningRate) == Float(best.values[.learningRate]!).asDouble)
        #expect(scenario.local.epochs == Int(best.values[.localEpochs]!))
        #expect(scenario.local.batchSize == Int(best.values[.batchSize]!))
        #expect(Double(scenario.clipNorm!) == Float(best.values[.clipNorm]!).asDouble)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("best-run/summary.json").path))
    }

    @Test func aSweepStoppedMidwayAndResumedEndsAsAnUninterruptedOne() async throws {
        let folder = try TemporaryFolder("fedtune-sweep")
        defer { folder.remove() }
        let whole = try self.configuration(folder, name: "whole", trials: 6)
        let uninterrupted = try await offThePool { try Sweep(whole).run() }

        // Stopped after three trials, then resumed.
        var stopped = try self.configuration(folder, name: "resumed", trials: 6)
        stopped.stopAfter = 3
        let first = try await offThePool { try Sweep(stopped).run() }
        #expect(!first.finished && first.trials.count == 3)
        stopped.stopAfter = nil
        let resumed = try await offThePool { try Sweep(stopped).run() }
        #expect(resumed.finished)
        #expect(self.outcome(resumed.trials) == self.outcome(uninterrupted.trials))

        // Killed in the middle of trial 4: trials.jsonl ends with its `running` line.
        let killed = whole.folder.deletingLastPathComponent().appendingPathComponent("killed")
        try FileManager.default.createDirectory(at: killed, withIntermediateDirectories: true)
        for name in ["sweep.json", "space.yaml"] {
            try FileManager.default.copyItem(
                at: whole.folder.appendingPathComponent(name),
                to: killed.appendingPathComponent(name)
            )
        }
        let lines = try String(contentsOf: whole.folder.appendingPathComponent("trials.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        let cut = try #require(lines.firstIndex { $0.contains("\"number\":4") && $0.contains("\"running\"") })
        try Data((lines[...cut].joined(separator: "\n") + "\n{\"number\":4,\"sett").utf8)
            .write(to: killed.appendingPathComponent("trials.jsonl"))
        var again = whole
        again.folder = killed
        let afterKill = try await offThePool { try Sweep(again).run() }
        #expect(self.outcome(afterKill.trials) == self.outcome(uninterrupted.trials))
    }

    @Test func aResumedFolderRefusesAnotherSeedOrSpace() async throws {
        let folder = try TemporaryFolder("fedtune-sweep")
        defer { folder.remove() }
        var configuration = try self.configuration(folder, name: "sweep", trials: 1)
        _ = try await offThePool { try Sweep(configuration).run() }
        configuration.seed = 99
        #expect(throws: SweepError.self) { try Sweep(configuration).run() }
        do {
            _ = try Sweep(configuration).run()
        } catch {
            #expect("\(error)".contains("the seed differs (7 before, 99 now)"))
        }
    }

    @Test func theCommandLinePrintsTheTableAndItsBestScenarioRuns() throws {
        let folder = try TemporaryFolder("fedtune-sweep")
        defer { folder.remove() }
        let space = folder.url.appendingPathComponent("space.yaml")
        try Data(Self.space.utf8).write(to: space)
        let out = folder.url.appendingPathComponent("sweep")
        let sweep = try Self.run([
            "sweep", Repository.scenario("quickstart").path, "--space", space.path, "--trials", "4", "--out", out.path,
            "--parallel", "1", "--startup-trials", "2", "--skip-final",
        ])
        #expect(sweep.status == 0)
        #expect(sweep.output.contains("trial  status") && sweep.output.contains("best: trial 0"))
        let simulate = try Self.run([
            "simulate", out.appendingPathComponent("best.yaml").path, "--inprocess", "--skip-baselines",
            "--out", folder.url.appendingPathComponent("best-run").path,
        ])
        #expect(simulate.status == 0, "\(simulate.output)")
    }

    private static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = Repository.fedtune
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

extension Float {
    fileprivate var asDouble: Double { Double(self) }
}
