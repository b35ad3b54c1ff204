import FedSimulation
import FedSupport
import Foundation

/// `fedtune sweep`: a hyperparameter search over a scenario's local and server settings. Each
/// trial is an in-process federation with settings from a TPE sampler, judged by successive
/// halving on rounds, and scored on the sites' held-out data (never on the global test set).
/// Its folder keeps every trial, so a sweep run again on the same folder goes on where it stopped.
package struct Sweep: Sendable {
    /// What a sweep produced.
    package struct Result: Sendable {
        /// Every trial, by number.
        package var trials: [Trial]
        /// The finished trial with the best validation score.
        package var best: Trial?
        /// best.yaml: the scenario with the best trial's settings.
        package var bestScenario: URL?
        /// The best settings' global test-set accuracy, scored once at the end.
        package var testAccuracy: Double?
        /// Whether every trial asked for ran (false after `stopAfter` or an interruption).
        package var finished: Bool
        package var seconds: Double
    }

    package let configuration: SweepConfiguration
    package let space: SearchSpace
    package let rewrite: ScenarioRewrite
    package let scenario: Scenario
    package let halving: SuccessiveHalving
    package let sampler: TPESampler

    /// Reads and checks the scenario and the space.
    package init(_ configuration: SweepConfiguration) throws {
        self.configuration = configuration
        self.space = try SearchSpace.load(configuration.space)
        self.rewrite = try ScenarioRewrite(contentsOf: configuration.scenario)
        self.scenario = try Scenario.load(configuration.scenario)
        guard self.scenario.siteTestFraction > 0 else {
            throw SweepError.scenario(
                path: configuration.scenario.path,
                detail: "site_test_fraction is 0: a sweep scores trials on the data each site holds out "
                    + "---> HINT: set site_test_fraction (0.2 by default)"
            )
        }
        self.halving = SuccessiveHalving(
            maximumRounds: self.scenario.rounds,
            reductionFactor: configuration.reductionFactor,
            minimumRounds: configuration.minimumRounds
        )
        self.sampler = TPESampler(
            space: self.space,
            seed: configuration.seed ?? self.scenario.seed,
            settings: configuration.sampler
        )
    }

    var folder: URL { self.configuration.folder }
    var trialsFolder: URL { self.folder.appendingPathComponent("trials") }

    /// Runs the trials not yet in the folder (and any a killed sweep left running), then writes
    /// the table, the report and best.yaml; `log` gets a line per trial.
    package func run(log: @escaping @Sendable (String) -> Void = { _ in }) throws -> Result {
        let started = Date()
        try self.prepareFolder()
        let trialLog = TrialLog(self.folder.appendingPathComponent("trials.jsonl"))
        let earlier = try trialLog.read()
        if !earlier.isEmpty {
            log(
                "resuming: \(earlier.filter { $0.status != .running }.count) trials done, "
                    + "\(earlier.filter { $0.status == .running }.count) to run again"
            )
        }
        let book = SweepBook(
            trials: earlier,
            log: trialLog,
            sampler: self.sampler,
            halving: self.halving,
            total: self.configuration.trials,
            stopAfter: self.configuration.stopAfter
        )
        let workers = max(1, min(self.configuration.parallel, self.configuration.trials))
        let group = DispatchGroup()
        for _ in 0..<workers {
            DispatchQueue.global().async(group: group) {
                while let trial = book.claim(interrupted: self.configuration.interruption?.isRequested == true) {
                    let ended = self.run(trial, book: book)
                    book.finish(ended)
                    log(SweepTable.line(ended, space: self.space))
                }
            }
        }
        group.wait()
        let (trials, fatal) = book.snapshot
        if let fatal { throw fatal }
        let finished = trials.count >= self.configuration.trials && trials.allSatisfy { $0.status != .running }
        let best = SweepTable.best(trials)
        var result = Result(
            trials: trials,
            best: best,
            bestScenario: nil,
            testAccuracy: nil,
            finished: finished,
            seconds: Date().timeIntervalSince(started)
        )
        if let best {
            let url = self.folder.appendingPathComponent("best.yaml")
            let text = try self.rewrite.text(
                with: best.values,
                header: [
                    "The best settings of `fedtune sweep` on \(self.configuration.scenario.path):",
                    "trial \(best.number), validation accuracy \(SweepTable.score(best.lastScore))"
                        + " (the sites' held-out data).",
                ]
            )
            try self.write(text, to: url)
            result.bestScenario = url
            if finished && self.configuration.finalRun {
                log("scoring the best settings (trial \(best.number)) on the global test set")
                result.testAccuracy = try self.testAccuracy(of: url)
            }
        }
        try self.write(
            SweepTable.text(trials, space: self.space, best: best),
            to: self.folder.appendingPathComponent("trials.txt")
        )
        try self.write(
            SweepReportPage.html(
                trials,
                space: self.space,
                best: best,
                scenario: self.scenario.name,
                halving: self.halving,
                testAccuracy: result.testAccuracy
            ),
            to: self.folder.appendingPathComponent("report.html")
        )
        return result
    }

    /// Creates the folder with sweep.json and space.yaml, or checks that a folder being
    /// resumed holds a sweep of the same scenario, space and sampler.
    private func prepareFolder() throws {
        let manifest = SweepManifest(
            scenario: self.rewrite.text,
            space: (try? String(contentsOf: self.configuration.space, encoding: .utf8)) ?? "",
            seed: self.sampler.seed,
            halving: self.halving,
            startupTrials: self.sampler.settings.startupTrials,
            candidates: self.sampler.settings.candidates,
            gamma: self.sampler.settings.gamma
        )
        let url = self.folder.appendingPathComponent("sweep.json")
        if let data = try? Data(contentsOf: url) {
            guard let earlier = try? JSONDecoder().decode(SweepManifest.self, from: data) else {
                throw SweepError.folder(path: self.folder.path, detail: "sweep.json is not a sweep's record")
            }
            if let difference = manifest.difference(from: earlier) {
                throw SweepError.folder(
                    path: self.folder.path,
                    detail: "it holds a sweep of other settings: \(difference) ---> HINT: give a new folder with --out"
                )
            }
            return
        }
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: self.folder.path), !contents.isEmpty {
            throw SweepError.folder(
                path: self.folder.path,
                detail: "it holds files but no sweep.json ---> HINT: give a new or empty folder with --out"
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(manifest), to: url)
        try self.write(manifest.space, to: self.folder.appendingPathComponent("space.yaml"))
    }

    func write(_ text: String, to url: URL) throws {
        do {
            try AtomicFile.write(Data(text.utf8), to: url)
        } catch {
            throw SweepError.folder(
                path: self.folder.path,
                detail: "\(url.lastPathComponent) could not be written: \(error)"
            )
        }
    }

    /// Runs a scenario file whole, without baselines, into best-run/, and returns its global
    /// test-set accuracy: the only time a sweep looks at the test set.
    private func testAccuracy(of url: URL) throws -> Double {
        let output = self.folder.appendingPathComponent("best-run")
        try? FileManager.default.removeItem(at: output)
        let simulation = Simulation(
            scenario: try Scenario.load(url),
            options: .init(output: output, baselines: false, cache: self.configuration.cache, scenarioFile: url)
        )
        return try simulation.run().federatedAccuracy
    }
}
