import ArgumentParser
import FedSimulation
import FedSweep
import Foundation
import UnixSignals

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Search a scenario's local and server settings with TPE and successive halving on rounds.",
        discussion: """
            Each trial is an in-process federation scored on the sites' held-out data. The folder keeps \
            every trial (trials.jsonl): run the same command again to go on where a sweep stopped. At the \
            end it holds trials.txt, report.html, best.yaml (the scenario with the best settings) and \
            best-run/ (best.yaml run once, scored on the global test set).
            """
    )

    @Argument(help: "A scenario YAML file (see scenarios/README.md).") var scenario: String
    @Option(help: "The search space YAML file (see README.md, \"Hyperparameter search\").") var space: String
    @Option(help: "Trials in all, counting those the folder already holds.") var trials: Int
    @Option(help: "Sweep folder (default: sweeps/<scenario>); an existing one is resumed.") var out: String?
    @Option(help: "Trials run at once (default: the number of cores; 1 repeats exactly).") var parallel: Int?
    @Option(help: "The sampler's seed (default: the scenario's).") var seed: UInt64?
    @Option(name: .customLong("startup-trials"), help: "Trials drawn at random before TPE starts.")
    var startupTrials = 10
    @Option(name: .customLong("reduction-factor"), help: "η of successive halving: 1/η of a rung goes on.")
    var reductionFactor = 3
    @Option(name: .customLong("min-rounds"), help: "Rounds at the first rung (default: rounds / η², at least 1).")
    var minRounds: Int?
    @Option(name: .customLong("stop-after"), help: "Start at most this many trials now, then stop (resume later).")
    var stopAfter: Int?
    @Flag(name: .customLong("skip-final"), help: "Do not run best.yaml on the global test set at the end.")
    var skipFinal = false
    @OptionGroup var cacheOptions: CacheOptions

    func validate() throws {
        guard self.trials >= 1 else { throw ValidationError("--trials must be at least 1, not \(self.trials)") }
        if let parallel, parallel < 1 { throw ValidationError("--parallel must be at least 1, not \(parallel)") }
        guard self.reductionFactor >= 2 else {
            throw ValidationError("--reduction-factor must be at least 2, not \(self.reductionFactor)")
        }
        if let minRounds, minRounds < 1 { throw ValidationError("--min-rounds must be at least 1, not \(minRounds)") }
        guard self.startupTrials >= 1 else {
            throw ValidationError("--startup-trials must be at least 1, not \(self.startupTrials)")
        }
    }

    func run() throws {
        let scenarioURL = URL(fileURLWithPath: self.scenario)
        let folder =
            self.out.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .appendingPathComponent("sweeps/\(scenarioURL.deletingPathExtension().lastPathComponent)")
        var configuration = SweepConfiguration(
            scenario: scenarioURL,
            space: URL(fileURLWithPath: self.space),
            folder: folder,
            trials: self.trials
        )
        configuration.parallel = self.parallel ?? ProcessInfo.processInfo.activeProcessorCount
        configuration.seed = self.seed
        configuration.sampler.startupTrials = self.startupTrials
        configuration.reductionFactor = self.reductionFactor
        configuration.minimumRounds = self.minRounds
        configuration.stopAfter = self.stopAfter
        configuration.finalRun = !self.skipFinal
        configuration.cache = self.cacheOptions.root
        let interruption = Interruption()
        configuration.interruption = interruption
        // Ctrl-C: running trials stop after their round in progress and run again on resume.
        let signals = Task {
            for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                if interruption.isRequested { Foundation.exit(130) }
                FileHandle.standardError.write(Data("stopping the running trials (Ctrl-C again to quit now)\n".utf8))
                interruption.request()
            }
        }
        defer { signals.cancel() }
        let result = try runReportingErrors {
            try Sweep(configuration).run(log: {
                print($0)
                fflush(nil)
            })
        }
        print("")
        print((try? String(contentsOf: folder.appendingPathComponent("trials.txt"), encoding: .utf8)) ?? "")
        if let best = result.best, let url = result.bestScenario {
            print("best: trial \(best.number), validation accuracy \(String(format: "%.4f", best.lastScore ?? .nan))")
            if let test = result.testAccuracy {
                print("best settings on the global test set: \(String(format: "%.4f", test))")
            }
            print("best settings: \(url.path) (fedtune simulate \(url.path))")
        }
        print("sweep folder: \(folder.path) (trials.jsonl, trials.txt, report.html)")
        print(String(format: "took %.0f s", result.seconds))
        if !result.finished {
            print(
                "stopped with \(result.trials.filter { $0.status != .running }.count) of \(self.trials) trials done; "
                    + "run the same command again to go on"
            )
            if interruption.isRequested { throw ExitCode(130) }
        }
    }
}
