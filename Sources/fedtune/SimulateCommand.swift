import ArgumentParser
import FedFetch
import FedSimulation
import Foundation
import UnixSignals

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a multi-site federation on this machine from a scenario file, next to its baselines."
    )

    @Argument(help: "A scenario YAML file (see scenarios/README.md).") var scenario: String
    @Flag(help: "Run the sites in this process over an in-memory transport instead of one process per site.")
    var inprocess = false
    @Option(
        help:
            "Run folder for metrics.jsonl, summary.json, model/ and report.html (default: runs/<scenario>-<UTC time>)."
    )
    var out: String?
    @Option(help: "Override the number of sites.") var sites: Int?
    @Option(
        name: .customLong("class-weights"),
        help: "Class-weighted loss: balanced or none (overrides local.class_weights)."
    )
    var classWeights: String?
    @OptionGroup var cacheOptions: CacheOptions
    @Flag(name: .customLong("skip-baselines"), help: "Skip the sites-alone, centralised and linear-probe baselines.")
    var skipBaselines = false
    @Flag(
        name: .customLong("keep-checkpoints"),
        help: "Keep every round's checkpoint in the run folder, not only the last."
    )
    var keepCheckpoints = false

    func validate() throws {
        if let weights = self.classWeights, Scenario.ClassWeighting(rawValue: weights) == nil {
            throw ValidationError("--class-weights must be balanced or none, not '\(weights)'")
        }
    }

    func run() throws {
        var scenario = try runReportingErrors { try Scenario.load(URL(fileURLWithPath: self.scenario)) }
        if let sites = self.sites { scenario.sites = sites }
        if let weights = self.classWeights.flatMap(Scenario.ClassWeighting.init(rawValue:)) {
            scenario.classWeighting = weights
        }
        let folder =
            self.out.map { URL(fileURLWithPath: $0) }
            ?? RunFolder.defaultURL(
                scenario: scenario.name,
                base: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            )
        let interruption = Interruption()
        let simulation = Simulation(
            scenario: scenario,
            options: .init(
                output: folder,
                baselines: !self.skipBaselines,
                processes: self.inprocess ? nil : URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
                cache: self.cacheOptions.root,
                keepCheckpoints: self.keepCheckpoints,
                interruption: interruption,
                scenarioFile: URL(fileURLWithPath: self.scenario)
            )
        )
        // Ctrl-C: finish the round being saved, then write the run folder for what finished.
        // A second Ctrl-C stops at once.
        let signals = Task {
            for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                if interruption.isRequested { Foundation.exit(130) }
                FileHandle.standardError.write(
                    Data("stopping after the round in progress (Ctrl-C again to quit now)\n".utf8)
                )
                interruption.request()
            }
        }
        defer { signals.cancel() }
        print(ComparisonText.roundHeader)
        fflush(nil)
        let report = try runReportingErrors {
            try simulation.run(
                onRound: {
                    print(ComparisonText.roundRow($0))
                    // Rounds of a text model take minutes: show each as it closes, even into a pipe.
                    fflush(nil)
                },
                log: { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
            )
        }
        print("")
        print(ComparisonText.render(report.summary))
        print("")
        print("run folder: \(folder.path) (report.html, summary.json, metrics.jsonl, model/)")
        print(String(format: "took %.0f s", report.seconds))
        if let round = report.interruptedAfter {
            print("interrupted after round \(round); the run folder holds the rounds that finished")
            throw ExitCode(130)
        }
        for item in report.unchecked { print("not checked: \(item)") }
        guard report.failures.isEmpty else {
            FileHandle.standardError.write(
                Data("error: expectations not met: \(report.failures.joined(separator: "; "))\n".utf8)
            )
            throw ExitCode.failure
        }
    }
}
