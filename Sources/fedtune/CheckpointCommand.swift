import ArgumentParser
import FedCoordinator
import FedLearning
import Foundation

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Work with a coordinator's state folder.",
        subcommands: [Export.self]
    )

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a round's checkpoint as a model folder that evaluate, predict and export read."
        )

        @Argument(help: "The coordinator's state folder (holds rounds.jsonl and global-NNNNN.safetensors).")
        var state: String
        @Option(help: "The round to export (default: the newest finished round).") var round: Int?
        @Option(help: "Model folder to write; it must not exist.") var out: String
        @OptionGroup var cacheOptions: CacheOptions

        func run() throws {
            let round = try runReportingErrors {
                try StateFolder(URL(fileURLWithPath: self.state))
                    .exportModel(round: self.round, to: URL(fileURLWithPath: self.out), bases: self.cacheOptions.bases)
            }
            print("wrote \(self.out): the global model after round \(round)")
        }
    }
}
