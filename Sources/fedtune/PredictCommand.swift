import ArgumentParser
import FedCommands
import FedSupport
import Foundation

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Print each input's predicted label and class probabilities (tabular, text or image model)."
    )

    @Option(help: "Model folder (model.json + model.safetensors): tabular, text or image.") var model: String
    @Option(
        help:
            "Inputs: CSV with the model's feature columns; for a text model CSV or JSON Lines; for an image model an image folder or .npz."
    ) var data:
        String
    @Option(name: .customLong("text-column"), help: "Column (CSV) or key (JSON Lines) holding the text.")
    var textColumn = "text"
    @Flag(help: "Print one JSON object per input (JSON Lines) instead of a table.") var json = false
    @OptionGroup var cacheOptions: CacheOptions

    func run() throws {
        let (classNames, predictions) = try runReportingErrors {
            try ModelScoring.predict(
                model: URL(fileURLWithPath: self.model),
                data: URL(fileURLWithPath: self.data),
                textColumn: self.textColumn,
                bases: self.cacheOptions.bases
            )
        }
        if self.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for prediction in predictions {
                print(String(decoding: try encoder.encode(prediction), as: UTF8.self))
            }
            return
        }
        print((["row", "label"] + classNames.map { "p(\($0))" }).joined(separator: "\t"))
        for prediction in predictions {
            let probabilities = classNames.map { String(format: "%.4f", prediction.probabilities[$0] ?? 0) }
            print(([String(prediction.row), prediction.label] + probabilities).joined(separator: "\t"))
        }
    }
}
