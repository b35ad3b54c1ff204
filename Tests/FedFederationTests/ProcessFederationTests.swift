import FedCoordinator
import FedRounds
import FedTestSupport
import Foundation
import Testing

/// The federation as users run it: `fedtune coordinator` and one `fedtune client` process
/// per site, over mutual TLS on 127.0.0.1, with the PKI, model and data made by `fedtune`
/// itself. Every wait is bounded.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct ProcessFederationTests {
    static let binary = Repository.fedtune

    final class Run {
        let folder: URL
        var processes: [Process] = []

        init() throws {
            self.folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-processes-\(UUID())")
            try FileManager.default.createDirectory(at: self.folder, withIntermediateDirectories: true)
        }

        deinit {
            for process in self.processes where process.isRunning { process.terminate() }
            try? FileManager.default.removeItem(at: self.folder)
        }

        /// Runs `fedtune ARGS` to completion (at most 60 s) and returns its exit status.
        @discardableResult
        func fedtune(_ arguments: String...) throws -> Int32 {
            let process = try self.start(arguments, log: "setup.log")
            try Self.wait(for: process, seconds: 60)
            return process.terminationStatus
        }

        func start(_ arguments: [String], log: String) throws -> Process {
            let process = Process()
            process.executableURL = ProcessFederationTests.binary
            process.arguments = arguments
            process.currentDirectoryURL = self.folder
            let output = self.folder.appendingPathComponent(log)
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            self.processes.append(process)
            return process
        }

        static func wait(for process: Process, seconds: Double) throws {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning {
                guard Date() < deadline else {
                    process.terminate()
                    throw CocoaError(
                        .executableLoad,
                        userInfo: [NSLocalizedDescriptionKey: "fedtune did not finish in \(seconds) s"]
                    )
                }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }

        /// Polls `condition` every 20 ms for at most `seconds`.
        static func eventually(seconds: Double, _ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if condition() { return true }
                Thread.sleep(forTimeInterval: 0.02)
            }
            return condition()
        }

        func write(_ text: String, to name: String) throws {
            try text.write(to: self.folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }

        func read(_ name: String) -> String? {
            try? String(contentsOf: self.folder.appendingPathComponent(name), encoding: .utf8)
        }

        /// PKI, a pretrained model and site data, all made with fedtune's own commands.
        func prepare(sites: [String]) throws {
            try #require(self.fedtune("certs", "init", "--dir", "certs") == 0)
            for site in sites { try #require(self.fedtune("certs", "issue", site, "--dir", "certs") == 0) }
            try #require(
                self.fedtune("datasets", "synthetic", "--out", "data", "--features", "8", "--classes", "3") == 0
            )
            try #require(
                self.fedtune(
                    "train",
                    "--data",
                    "data/source.csv",
                    "--label",
                    "label",
                    "--arch",
                    "mlp:32",
                    "--epochs",
                    "3",
                    "--out",
                    "model"
                ) == 0
            )
        }

        func coordinatorYAML(listen: String, rounds: Int, epochs: Int, privacy: String? = nil) -> String {
            let strategy = privacy ?? "strategy:\n  clip_norm: 10"
            return self.coordinatorYAML(listen: listen, rounds: rounds, epochs: epochs, strategy: strategy)
        }

        func coordinatorYAML(listen: String, rounds: Int, epochs: Int, strategy: String) -> String {
            """
            listen: \(listen)
            identity: certs/coordinator
            model: model
            state: state
            rounds: \(rounds)
            min_sites: 3
            deadline_seconds: 60
            \(strategy)
            training:
              epochs: \(epochs)
              batch_size: 16
              learning_rate: 0.003
            """
        }

        func startSites(_ sites: [String], port: Int) throws -> [Process] {
            try sites.map { site in
                try self.start(
                    [
                        "client", "--coordinator", "127.0.0.1:\(port)", "--identity", "certs/sites/\(site)",
                        "--data", "data/target.csv", "--label", "label", "--cache", "cache-\(site)",
                    ],
                    log: "\(site).log"
                )
            }
        }

        func rounds() throws -> [Int] {
            try StateFolder(self.folder.appendingPathComponent("state")).records().map(\.round)
        }

        func port() throws -> Int {
            _ = Self.eventually(seconds: 20) { self.read("port") != nil }
            return try #require(Int(self.read("port")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        }

        /// Prepares three sites, starts the coordinator on an ephemeral port and the sites'
        /// client processes against it.
        func startFederation(rounds: Int, epochs: Int, privacy: String? = nil) throws -> (
            coordinator: Process, clients: [Process], port: Int
        ) {
            let sites = ["site-a", "site-b", "site-c"]
            try self.prepare(sites: sites)
            try self.write(
                self.coordinatorYAML(listen: "127.0.0.1:0", rounds: rounds, epochs: epochs, privacy: privacy),
                to: "coordinator.yaml"
            )
            let coordinator = try self.start(
                ["coordinator", "--config", "coordinator.yaml", "--port-file", "port"],
                log: "coordinator.log"
            )
            let port = try self.port()
            return (coordinator, try self.startSites(sites, port: port), port)
        }
    }

    @Test func coordinatorAndThreeSiteProcessesFinishEveryRound() throws {
        let run = try Run()

        let (coordinator, clients, _) = try run.startFederation(rounds: 3, epochs: 1)
        for process in clients + [coordinator] { try Run.wait(for: process, seconds: 60) }

        #expect(
            (clients + [coordinator]).allSatisfy { $0.terminationStatus == 0 },
            "\(run.read("coordinator.log") ?? "")"
        )
        #expect(try run.rounds() == [1, 2, 3])
        // The coordinator left a model folder that evaluate and predict read.
        let model = run.folder.appendingPathComponent("state/model").path
        #expect(FileManager.default.fileExists(atPath: model + "/model.json"))
        #expect(try run.fedtune("evaluate", "--model", model, "--data", "data/target.csv", "--label", "label") == 0)
        #expect(try run.fedtune("predict", "--model", model, "--data", "data/target.csv", "--json") == 0)
    }

    @Test func coordinatorKilledMidRunAndRestartedFinishesEveryRoundOnce() throws {
        let run = try Run()
        let (first, clients, port) = try run.startFederation(rounds: 6, epochs: 15)

        // Kill (SIGKILL: no clean shutdown) once two rounds are on disk.
        #expect(Run.eventually(seconds: 60) { ((try? run.rounds()) ?? []).count >= 2 })
        kill(first.processIdentifier, SIGKILL)
        try Run.wait(for: first, seconds: 10)
        let beforeRestart = try run.rounds()
        try run.write(run.coordinatorYAML(listen: "127.0.0.1:\(port)", rounds: 6, epochs: 15), to: "coordinator.yaml")
        let second = try run.start(["coordinator", "--config", "coordinator.yaml"], log: "coordinator-2.log")
        for process in clients + [second] { try Run.wait(for: process, seconds: 90) }

        #expect(beforeRestart.count < 6, "the kill should land mid-run")
        #expect(second.terminationStatus == 0, "\(run.read("coordinator-2.log") ?? "")")
        #expect(clients.allSatisfy { $0.terminationStatus == 0 }, "\(run.read("site-a.log") ?? "")")
        #expect(try run.rounds() == [1, 2, 3, 4, 5, 6])
    }

    /// SIGTERM in the middle of a run: the coordinator stops within a few seconds, exit 0,
    /// with every finished round on disk (the sites keep trying to reconnect).
    @Test func sigtermStopsTheCoordinatorWithinSecondsKeepingEveryFinishedRound() throws {
        let run = try Run()
        let (coordinator, clients, _) = try run.startFederation(rounds: 50, epochs: 15)
        #expect(Run.eventually(seconds: 60) { ((try? run.rounds()) ?? []).count >= 1 })
        let signalled = Date()
        kill(coordinator.processIdentifier, SIGTERM)
        try Run.wait(for: coordinator, seconds: 15)
        #expect(
            Date().timeIntervalSince(signalled) < 5,
            "stopped \(Date().timeIntervalSince(signalled)) s after SIGTERM"
        )
        #expect(coordinator.terminationStatus == 0, "\(run.read("coordinator.log") ?? "")")
        let rounds = try run.rounds()
        #expect(!rounds.isEmpty && rounds == Array(1...rounds.count) && rounds.count < 50)
        for client in clients { client.terminate() }
        for client in clients { try Run.wait(for: client, seconds: 15) }
    }

    /// DP-FedAvg over the wire, killed with SIGKILL after two rounds and restarted: the
    /// budget goes on exactly where it was (ε of every round is the accountant's for that
    /// many rounds, the noise key is the one made at the first start), and the run ends at
    /// the budget, before the rounds coordinator.yaml asks for.
    @Test func aPrivateRunKilledAndRestartedContinuesTheSameBudgetAndStopsAtIt() throws {
        let run = try Run()
        // z = 2, q = 1, δ = 1e-5: ε is 4.73 after 4 rounds and 5.38 after 5.
        let privacy = """
            privacy:
              clip_norm: 1.0
              noise_multiplier: 2.0
              delta: 1e-5
              target_epsilon: 5.0
            """
        let (first, clients, port) = try run.startFederation(rounds: 10, epochs: 15, privacy: privacy)
        #expect(Run.eventually(seconds: 60) { ((try? run.rounds()) ?? []).count >= 2 })
        kill(first.processIdentifier, SIGKILL)
        try Run.wait(for: first, seconds: 10)
        let beforeRestart = try run.rounds()
        let key = try Data(contentsOf: run.folder.appendingPathComponent("state/privacy.key"))
        try run.write(
            run.coordinatorYAML(listen: "127.0.0.1:\(port)", rounds: 10, epochs: 15, privacy: privacy),
            to: "coordinator.yaml"
        )
        let second = try run.start(["coordinator", "--config", "coordinator.yaml"], log: "coordinator-2.log")
        for process in clients + [second] { try Run.wait(for: process, seconds: 90) }

        #expect(beforeRestart.count < 4, "the kill should land before the budget ends the run")
        #expect(second.terminationStatus == 0, "\(run.read("coordinator-2.log") ?? "")")
        let records = try StateFolder(run.folder.appendingPathComponent("state")).records()
        #expect(records.map(\.round) == [1, 2, 3, 4])
        for record in records {
            let expected = try RDPAccountant.epsilon(noiseMultiplier: 2, sampleRate: 1, rounds: record.round, delta: 1e-5)
            let epsilon = try #require(record.privacy?.epsilon)
            #expect(abs(epsilon - expected.epsilon) <= 1e-12 * expected.epsilon)
            #expect(epsilon <= 5)
        }
        #expect(try Data(contentsOf: run.folder.appendingPathComponent("state/privacy.key")) == key)
        let log = run.read("coordinator-2.log") ?? ""
        #expect(log.contains("privacy budget allows 4 of the 10 rounds"), "\(log)")
    }

    /// Secure aggregation with DP-FedAvg over mutual TLS: three site processes exchange keys
    /// and shares through the coordinator, send masked updates, and every round closes with
    /// the noised mean of the unmasked sum; the coordinator records no clip factor, as it
    /// never sees an update.
    @Test func secureAggregationWithPrivacyRunsOverTheWire() throws {
        let run = try Run()
        let settings = """
            privacy:
              clip_norm: 1.0
              noise_multiplier: 0.5
            secure_aggregation:
              neighbours: 2
            """
        let (coordinator, clients, _) = try run.startFederation(rounds: 3, epochs: 1, privacy: settings)
        for process in clients + [coordinator] { try Run.wait(for: process, seconds: 60) }
        #expect(
            (clients + [coordinator]).allSatisfy { $0.terminationStatus == 0 },
            "\(run.read("coordinator.log") ?? "") \(run.read("site-a.log") ?? "")"
        )
        let records = try StateFolder(run.folder.appendingPathComponent("state")).records()
        #expect(records.map(\.round) == [1, 2, 3])
        for record in records {
            #expect(record.sites == ["site-a", "site-b", "site-c"] && record.clipScales.isEmpty)
            #expect(record.privacy?.secureAggregation == true && record.privacy?.noiseStddev == 0.5)
        }
        #expect(run.read("site-a.log")?.contains("masked update sent") == true)
    }

    /// FedAdam over the wire, killed with SIGKILL after two rounds and restarted: the optimizer's
    /// moments come back from the state folder, so the last checkpoint is the same, bit for bit,
    /// as an uninterrupted run's.
    @Test func aFedAdamRunKilledAndRestartedEndsWithTheUninterruptedModel() throws {
        let strategy = """
            strategy:
              clip_norm: 10
              optimizer: fedadam
              server_learning_rate: 0.05
            """
        let whole = try Run()
        let (coordinator, clients, _) = try whole.startFederation(rounds: 5, epochs: 15, privacy: strategy)
        for process in clients + [coordinator] { try Run.wait(for: process, seconds: 60) }
        let expected = try StateFolder(whole.folder.appendingPathComponent("state")).records()

        let run = try Run()
        let (first, sites, port) = try run.startFederation(rounds: 5, epochs: 15, privacy: strategy)
        #expect(Run.eventually(seconds: 60) { ((try? run.rounds()) ?? []).count >= 2 })
        kill(first.processIdentifier, SIGKILL)
        try Run.wait(for: first, seconds: 10)
        let beforeRestart = try run.rounds()
        #expect(FileManager.default.fileExists(
            atPath: run.folder.appendingPathComponent(String(format: "state/server-%05d.safetensors", beforeRestart.last ?? 0)).path))
        try run.write(
            run.coordinatorYAML(listen: "127.0.0.1:\(port)", rounds: 5, epochs: 15, privacy: strategy), to: "coordinator.yaml")
        let second = try run.start(["coordinator", "--config", "coordinator.yaml"], log: "coordinator-2.log")
        for process in sites + [second] { try Run.wait(for: process, seconds: 90) }

        #expect(beforeRestart.count < 5, "the kill should land mid-run")
        #expect(second.terminationStatus == 0, "\(run.read("coordinator-2.log") ?? "")")
        let records = try StateFolder(run.folder.appendingPathComponent("state")).records()
        #expect(records.map(\.round) == [1, 2, 3, 4, 5])
        #expect(records.map(\.digest) == expected.map(\.digest), "every round's checkpoint as in the uninterrupted run")
    }

    /// Sites compress their updates as coordinator.yaml asks and the coordinator decodes and
    /// folds them. The model has 387 weights, so the safetensors headers weigh in: int8 moves
    /// 57% of the dense bytes here, a quarter on a large model.
    @Test func int8CompressedUpdatesTravelAndFold() throws {
        let run = try Run()
        let strategy = """
            strategy:
              clip_norm: 10
              compression: int8
            """
        let (coordinator, clients, _) = try run.startFederation(rounds: 2, epochs: 1, privacy: strategy)
        for process in clients + [coordinator] { try Run.wait(for: process, seconds: 60) }
        #expect(coordinator.terminationStatus == 0, "\(run.read("coordinator.log") ?? "")")
        let records = try StateFolder(run.folder.appendingPathComponent("state")).records()
        #expect(records.map(\.round) == [1, 2] && records.allSatisfy { $0.sites.count == 3 })
        let dense = try #require(records.first?.bytes?.trainable)   // three sites' dense tensors
        let sent = try #require(records.first?.bytes?.updates)
        #expect(Double(sent) < 0.65 * Double(dense), "int8 updates \(sent) bytes, dense tensors \(dense)")
    }
}
