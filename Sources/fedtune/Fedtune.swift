import ArgumentParser

@main
struct Fedtune: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fedtune",
        abstract: "Federated fine-tuning of pretrained models across sites that keep their data.",
        subcommands: [
            TrainCommand.self, EvaluateCommand.self, InspectCommand.self, DatasetsCommand.self, BenchCommand.self,
            CertsCommand.self,
        ]
    )
}
