import ArgumentParser
import FedCommands
import FedLearning
import FedSupport
import Foundation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Score a saved model on a labelled CSV file."
    )

    @Option(help: "Model folder (model.json + model.safetensors).") var model: String
    @Option(help: "CSV file with a header row.") var data: String
    @Option(help: "Name of the column holding the class label.") var label: String
    @Flag(help: "Print JSON for scripts instead of a table.") var json = false

    func run() throws {
        let metrics = try runReportingErrors {
            try ModelEvaluation.run(
                model: URL(fileURLWithPath: self.model),
                data: URL(fileURLWithPath: self.data),
                labelColumn: self.label
            )
        }
        if self.json {
            print(String(decoding: try metrics.json(), as: UTF8.self))
        } else {
            print(metrics.table())
        }
    }
}
