import ArgumentParser
import FedSimulation
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a coordinator.yaml or a scenario and print its effective settings, defaults filled in."
    )

    @Argument(help: "A coordinator.yaml or a scenario file.") var file: String

    func run() throws {
        print(try runReportingErrors { try SettingsCheck.run(URL(fileURLWithPath: self.file)) })
    }
}
