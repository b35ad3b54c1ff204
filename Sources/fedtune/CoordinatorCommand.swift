import ArgumentParser
import FedCommands
import FedCoordinator
import FedLearning
import FedSupport
import Foundation
import Logging

struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Run the coordinator daemon: sites connect over mutual TLS and fine-tune the model in rounds."
    )

    @Option(help: "The coordinator's YAML configuration (see docs/COORDINATOR.md).") var config: String
    @Option(help: "Write the port listened on to this file (useful with listen: HOST:0).") var portFile: String?
    @Option(help: "Write the metrics listener's port to this file (useful with metrics.listen: HOST:0).")
    var metricsPortFile: String?
    @OptionGroup var log: LogOptions

    func run() async throws {
        let configuration = try runReportingErrors {
            try CoordinatorConfiguration.load(URL(fileURLWithPath: self.config))
        }
        self.log.bootstrap()
        let logger = Logger(label: "fedtune.coordinator")
        let portFile = self.portFile.map { URL(fileURLWithPath: $0) }
        let metricsPortFile = self.metricsPortFile.map { URL(fileURLWithPath: $0) }
        let rounds = try await runReportingErrors {
            // SIGTERM and SIGINT stop it in order; SIGHUP reloads the allow-list and revocation list.
            try await CoordinatorDaemon.run(
                configuration: configuration,
                logger: logger,
                onListening: { port in
                    if let portFile { try? Data("\(port)\n".utf8).write(to: portFile, options: .atomic) }
                },
                onMetricsListening: { port in
                    if let metricsPortFile { try? Data("\(port)\n".utf8).write(to: metricsPortFile, options: .atomic) }
                }
            )
        }
        print("coordinator stopped after \(rounds) finished rounds; state in \(configuration.state.path)")
        if let memory = ProcessMemory.current() {
            print("peak resident memory \(memory.peakResident / 1024) KiB")
        }
    }
}
