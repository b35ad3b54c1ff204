import ArgumentParser
import FedCommands
import FedLearning
import FedSupport
import Foundation

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract:
            "Score a saved model on labelled data (CSV; for a text model, CSV or JSON Lines; for an image model, an image folder or .npz)."
    )

    @Option(help: "Model folder (model.json + model.safetensors): tabular, text or image.") var model: String
    @Option(
        help:
            "Labelled data: CSV with a header row, JSON Lines (.jsonl) for a text model, or an image folder or .npz for an image model."
    ) var data: String
    @Option(help: "Name of the column holding the class label (tables and texts).") var label: String = "label"
    @Option(name: .customLong("text-column"), help: "Column (CSV) or key (JSON Lines) holding the text.")
    var textColumn = "text"
    @Flag(help: "Print JSON for scripts instead of a table.") var json = false
    @OptionGroup var cacheOptions: CacheOptions

    func run() throws {
        let metrics = try runReportingErrors {
            try ModelScoring.evaluate(
                model: URL(fileURLWithPath: self.model),
                data: URL(fileURLWithPath: self.data),
                labelColumn: self.label,
                textColumn: self.textColumn,
                bases: self.cacheOptions.bases
            )
        }
        if self.json {
            print(String(decoding: try metrics.json(), as: UTF8.self))
        } else {
            print(metrics.table())
        }
    }
}
