import ArgumentParser
import FedClient
import FedCommands
import FedLearning
import FedObserve
import FedSupport
import Foundation
import Logging

struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Run a site: join the coordinator over mutual TLS and fine-tune on local data that never leaves."
    )

    @Option(help: "The coordinator as HOST:PORT.") var coordinator: String
    @Option(help: "Folder with this site's cert.pem, key.pem and ca.pem (fedtune certs issue).") var identity: String
    @Option(
        help:
            "This site's labelled data: CSV, JSON Lines (.jsonl) for text, or for images a folder of class subfolders of PNGs or an .npz (images, labels)."
    ) var data: String
    @Option(help: "Name of the label column (tables and texts).") var label: String = "label"
    @Option(name: .customLong("text-column"), help: "Name of the text column, for text models.") var textColumn:
        String = "text"
    @OptionGroup var cache: CacheOptions
    @Option(help: "Share of the data held out for evaluation.") var evaluation: Double = 0.2
    @Option(help: "Seed of the local split.") var seed: UInt64 = 0
    @Option(help: "Connection attempts in a row before giving up when the network fails.") var retries = 120
    @Option(help: "Longest time, in seconds, to keep trying to reach the coordinator.") var wait: Double = 600
    @Option(help: "Largest base model this site accepts from the coordinator, in bytes.")
    var maxModelBytes = 1 << 30
    @Option(help: "Serve this site's metrics (training time, examples, rounds) on http://HOST:PORT/metrics.")
    var metrics: String?
    @OptionGroup var log: LogOptions

    func validate() throws {
        let parts = self.coordinator.split(separator: ":")
        guard parts.count == 2, Int(parts[1]) != nil else { throw ValidationError("--coordinator must be HOST:PORT") }
        guard self.evaluation >= 0, self.evaluation < 1 else { throw ValidationError("--evaluation must be in [0, 1)") }
        guard self.retries >= 0 else { throw ValidationError("--retries must be 0 or more") }
        guard self.wait >= 0 else { throw ValidationError("--wait must be 0 or more seconds") }
        guard self.maxModelBytes > 0 else { throw ValidationError("--max-model-bytes must be positive") }
        if let metrics = self.metrics {
            do throws(ObserveError) {
                _ = try ObserveError.parse(address: metrics, setting: "--metrics")
            } catch {
                throw ValidationError("--metrics must be HOST:PORT with a port in 0...65535, not '\(metrics)'")
            }
        }
    }

    func run() async throws {
        self.log.bootstrap()
        let parts = self.coordinator.split(separator: ":")
        var configuration = SiteConfiguration(
            coordinatorHost: String(parts[0]),
            coordinatorPort: Int(parts[1])!,
            identity: URL(fileURLWithPath: self.identity),
            data: URL(fileURLWithPath: self.data),
            labelColumn: self.label,
            // Received base models, by digest, beside every other command's downloads.
            cache: self.cache.root.appendingPathComponent("received-models", isDirectory: true)
        )
        configuration.maximumReconnects = self.retries
        configuration.maximumWait = self.wait
        configuration.maximumModelBytes = self.maxModelBytes
        configuration.textColumn = self.textColumn
        configuration.evaluationFraction = self.evaluation
        configuration.seed = self.seed
        var listener: ObserveListener?
        if let address = self.metrics {
            let meters = SiteMeters()
            listener = try await runReportingErrors { try await meters.serve(address: address) }
            configuration.meters = meters
            print("metrics on http://\(listener!.host):\(listener!.port)/metrics")
        }
        let logger = Logger(label: "fedtune.client")
        let site = Site(configuration: configuration, logger: logger)
        do {
            // SIGTERM and SIGINT stop the site between messages.
            let rounds = try await runReportingErrors { try await SiteDaemon.run(site, logger: logger) }
            print("federation finished after \(rounds) rounds")
            if let memory = ProcessMemory.current() {
                print("peak resident memory \(memory.peakResident / 1024) KiB")
            }
        } catch is CancellationError {
            print("site stopped by signal")
        }
        await listener?.close()
    }
}
