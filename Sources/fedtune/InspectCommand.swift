import ArgumentParser
import FedCommands
import FedLearning
import FedSupport
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the tensors of a safetensors file or a PyTorch checkpoint (.pth, .bin)."
    )

    @Argument(help: "A .safetensors file, or a state dict saved by torch.save (.pth, .pt, .bin).") var file: String
    @Flag(help: "Print JSON for scripts instead of a table.") var json = false

    func run() throws {
        let rows = try runReportingErrors { try TensorInspection.run(URL(fileURLWithPath: self.file)) }
        if self.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            print(TensorInspection.table(rows))
        }
    }
}
