import ArgumentParser
import FedSimulation
import Foundation

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a multi-site federation on this machine from a scenario file, next to its baselines.")

    @Argument(help: "A scenario YAML file (see scenarios/README.md).") var scenario: String
    @Flag(help: "Run the sites in this process over an in-memory transport instead of one process per site.")
    var inprocess = false
    @Option(help: "Folder for the final model and rounds.jsonl.") var out: String?
    @Option(help: "Override the number of sites.") var sites: Int?
    @Flag(name: .customLong("skip-baselines"), help: "Skip the sites-alone baseline (slow with many sites).")
    var skipBaselines = false

    func run() throws {
        var scenario = try runReportingErrors { try Scenario.load(URL(fileURLWithPath: self.scenario)) }
        if let sites = self.sites { scenario.sites = sites }
        let simulation = Simulation(
            scenario: scenario,
            options: .init(
                output: self.out.map { URL(fileURLWithPath: $0) }, baselines: !self.skipBaselines,
                processes: self.inprocess ? nil : URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()))
        print("round  sites  examples  train loss  test acc  test macro-F1  seconds")
        let report = try runReportingErrors {
            try simulation.run { row in
                print(String(format: "%5d  %5d  %8d  %10.4f  %8.4f  %13.4f  %7.2f",
                             row.round, row.sites, row.examples, row.trainLoss, row.testAccuracy, row.testMacroF1, row.seconds))
            }
        }
        print("")
        print("scenario \(report.scenario), \(report.sites) sites, accuracy on the held-out global test set:")
        print(String(format: "  pretrained model            %.4f", report.pretrainedAccuracy))
        if let local = report.localAccuracy { print(String(format: "  each site alone (mean)      %.4f", local)) }
        print(String(format: "  federated                   %.4f  (macro-F1 %.4f)", report.federatedAccuracy, report.federatedMacroF1))
        guard report.failures.isEmpty else {
            FileHandle.standardError.write(Data("error: expectations not met: \(report.failures.joined(separator: "; "))\n".utf8))
            throw ExitCode.failure
        }
    }
}
