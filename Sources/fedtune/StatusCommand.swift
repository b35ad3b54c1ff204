import ArgumentParser
import FedCoordinator
import FedObserve

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print a federation's status: from its state folder, or live from http://HOST:PORT (metrics.listen)."
    )

    @Argument(help: "The coordinator's state folder, or http://HOST:PORT of its metrics listener.") var source: String
    @Flag(help: "Print the status as JSON (what /status.json serves).") var json = false

    func run() async throws {
        let status = try await runReportingErrors { try await StatusLookup.status(of: self.source) }
        if self.json {
            print(String(decoding: status.json(), as: UTF8.self))
        } else {
            print(StatusTable.text(status), terminator: "")
        }
    }
}
