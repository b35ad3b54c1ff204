import ArgumentParser

@main
struct Fedtune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fedtune",
        abstract: "Federated fine-tuning of pretrained models across sites that keep their data.",
        version: "fedtune 0.4 (commit \(fedtuneCommit))",
        subcommands: [
            SimulateCommand.self, CoordinatorCommand.self, ClientCommand.self, CertsCommand.self, TrainCommand.self,
            EvaluateCommand.self, PredictCommand.self, CheckpointCommand.self, CheckCommand.self,
            InspectCommand.self, DatasetsCommand.self, ModelsCommand.self, EmbedCommand.self, ExportCommand.self,
            BenchCommand.self, PrivacyCommand.self, StatusCommand.self,
            ReportCommand.self, SweepCommand.self,
        ]
    )
}
