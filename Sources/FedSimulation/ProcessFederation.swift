import FedCoordinator
import FedData
import FedLearning
import FedRounds
import FedTLS
import Foundation

/// The federation as it runs for real, on one machine: a throwaway PKI, each site's
/// private slice written to its own folder, `fedtune coordinator` and one `fedtune client`
/// process per site over mutual TLS on 127.0.0.1 with an ephemeral port. Rounds are read
/// back from the coordinator's state folder and scored on the global test set.
struct ProcessFederation {
    let scenario: Scenario
    let setup: SimulationSetup
    /// The fedtune binary to start (this process's own executable).
    let executable: URL
    let folder: URL

    func run(onRound: (InProcessFederation.Round) -> Void) throws -> (model: Classifier, rounds: [InProcessFederation.Round]) {
        try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
        let pki = PKIFolder(self.folder.appendingPathComponent("certs"))
        _ = try pki.initialise()
        for site in self.setup.siteNames { _ = try pki.issueSite(site) }
        try ModelFolder.save(self.setup.pretrained, to: self.folder.appendingPathComponent("pretrained"))
        for (site, data) in zip(self.setup.siteNames, self.setup.siteRawData) {
            let siteFolder = self.folder.appendingPathComponent("sites/\(site)")
            try FileManager.default.createDirectory(at: siteFolder, withIntermediateDirectories: true)
            try data.writeCSV(to: siteFolder.appendingPathComponent("data.csv"))
        }
        let state = StateFolder(self.folder.appendingPathComponent("state"))
        try self.coordinatorYAML().write(to: self.folder.appendingPathComponent("coordinator.yaml"), atomically: true, encoding: .utf8)

        var processes: [Process] = []
        defer { for process in processes where process.isRunning { process.terminate() } }
        let portFile = self.folder.appendingPathComponent("port")
        processes.append(try self.start(["coordinator", "--config", "coordinator.yaml", "--port-file", "port"], log: "coordinator.log"))
        let deadline = Date().addingTimeInterval(30)
        while FileManager.default.contents(atPath: portFile.path) == nil, Date() < deadline, processes[0].isRunning {
            Thread.sleep(forTimeInterval: 0.02)
        }
        guard let text = FileManager.default.contents(atPath: portFile.path),
            let port = Int(String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            throw ScenarioError.invalid(path: self.scenario.name, detail: "the coordinator did not start; see \(self.folder.path)/coordinator.log")
        }
        for site in self.setup.siteNames {
            processes.append(try self.start(
                ["client", "--coordinator", "127.0.0.1:\(port)", "--identity", "certs/sites/\(site)",
                 "--data", "sites/\(site)/data.csv", "--label", "label", "--cache", "sites/\(site)/cache",
                 "--evaluation", "0.1", "--seed", "\(self.scenario.seed)"],
                log: "sites/\(site)/client.log"))
        }

        var rows: [InProcessFederation.Round] = []
        let model = self.setup.pretrained
        let limit = Date().addingTimeInterval(Double(self.scenario.rounds) * 600)
        while processes.contains(where: \.isRunning) || rows.count < ((try? state.records().count) ?? 0) {
            guard Date() < limit else { throw ScenarioError.invalid(path: self.scenario.name, detail: "the federation did not finish in time") }
            for record in try state.records() where record.round > rows.count {
                let blob = try Data(contentsOf: state.checkpointURL(round: record.round))
                let global = try ModelPackage.decode(blob, source: state.checkpointURL(round: record.round).path)
                try model.parameters.load(global.parameters.values(), requireAll: true, source: "checkpoint")
                let metrics = self.setup.score(model)
                let row = InProcessFederation.Round(
                    round: record.round, sites: record.sites.count, examples: record.examples,
                    trainLoss: record.trainMetrics["loss"] ?? .nan, testAccuracy: metrics.accuracy,
                    testMacroF1: metrics.macroF1, seconds: record.seconds)
                rows.append(row)
                onRound(row)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard processes.allSatisfy({ $0.terminationStatus == 0 }), rows.count == self.scenario.rounds else {
            throw ScenarioError.invalid(path: self.scenario.name, detail: "a process failed; logs are in \(self.folder.path)")
        }
        return (model, rows)
    }

    private func coordinatorYAML() throws -> String {
        // YAML takes JSON as a flow mapping, so the local training settings go in as JSON.
        let training = String(decoding: try JSONEncoder().encode(self.scenario.local), as: UTF8.self)
        var yaml = """
            listen: 127.0.0.1:0
            identity: certs/coordinator
            model: pretrained
            state: state
            rounds: \(self.scenario.rounds)
            min_sites: \(self.setup.siteNames.count)
            quorum: 1
            seed: \(self.scenario.seed)
            deadline_seconds: 600
            training: \(training)
            strategy:
              server_learning_rate: \(self.scenario.serverLearningRate)

            """
        if let clip = self.scenario.clipNorm { yaml += "  clip_norm: \(clip)\n" }
        switch self.scenario.sample {
        case .all: break
        case .count(let count): yaml += "sample: \"\(count)\"\n"
        case .fraction(let fraction): yaml += "sample: \"\(fraction)\"\n"
        }
        return yaml
    }

    private func start(_ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = self.executable
        process.arguments = arguments
        process.currentDirectoryURL = self.folder
        let logURL = self.folder.appendingPathComponent(log)
        try FileManager.default.createDirectory(at: logURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logURL)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }
}
