import FedCoordinator
import FedRounds
import FedTestSupport
import Foundation
import Testing

/// The Python site package (clients/python, `fedtune_site`) beside Swift sites: a real
/// `fedtune coordinator` on 127.0.0.1, two `fedtune client` processes and one
/// `python -m fedtune_site`, over mutual TLS with a PKI from `fedtune certs`. Also runs the
/// package's own unittests, so they run under scripts/test. Every wait is bounded.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct PythonSiteTests {
    /// The project's .venv python when there is one (scripts/install-deps makes it), else
    /// `python3` on PATH.
    static let python: (executable: URL, prefix: [String]) = {
        let venv = Repository.root.appendingPathComponent(".venv/bin/python")
        if FileManager.default.isExecutableFile(atPath: venv.path) { return (venv, []) }
        return (URL(fileURLWithPath: "/usr/bin/env"), ["python3"])
    }()

    /// Whether that python has numpy, the package's one dependency.
    static let hasNumpy: Bool = {
        guard let result = try? Self.runPython(["-c", "import numpy"], in: Repository.root) else { return false }
        return result.status == 0
    }()

    static let package = Repository.root.appendingPathComponent("clients/python")

    /// Runs python with `arguments` (the package on PYTHONPATH) to completion, at most 120 s;
    /// returns its exit status and its output and errors together.
    static func runPython(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String) {
        let process = Self.pythonProcess(arguments, in: folder)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-python-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try ProcessFederationTests.Run.wait(for: process, seconds: 120)
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    static func pythonProcess(_ arguments: [String], in folder: URL) -> Process {
        let process = Process()
        process.executableURL = Self.python.executable
        process.arguments = Self.python.prefix + arguments
        process.currentDirectoryURL = folder
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = Self.package.appendingPathComponent("src").path
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        process.environment = environment
        return process
    }

    /// Starts `python -m fedtune_site` for `site` against the coordinator at `port`.
    static func startPythonSite(
        _ site: String,
        run: ProcessFederationTests.Run,
        port: Int
    ) throws -> Process {
        let process = Self.pythonProcess(
            [
                "-m", "fedtune_site", "--coordinator", "127.0.0.1:\(port)", "--identity", "certs/sites/\(site)",
                "--data", "data/target.csv", "--label", "label", "--cache", "cache-\(site)",
            ],
            in: run.folder
        )
        let log = run.folder.appendingPathComponent("\(site).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        run.processes.append(process)
        return process
    }

    /// `fedtune evaluate --json`'s accuracy of the model folder `model` on data/target-test.csv.
    static func accuracy(of model: String, run: ProcessFederationTests.Run) throws -> Double {
        let process = Process()
        process.executableURL = Repository.fedtune
        process.arguments = ["evaluate", "--model", model, "--data", "data/target-test.csv", "--label", "label", "--json"]
        process.currentDirectoryURL = run.folder
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(object?["accuracy"] as? Double)
    }

    @Test(.enabled(if: Self.hasNumpy, "no python with numpy (the project's .venv, or python3 on PATH)"))
    func thePackagesUnittestsPass() throws {
        let (status, output) = try Self.runPython(
            ["-m", "unittest", "discover", "-s", "tests", "-t", "."],
            in: Self.package
        )
        #expect(status == 0, "\(output)")
        #expect(output.contains("OK"), "\(output)")
    }

    /// Two Swift sites and the Python site train five rounds together: every round counts the
    /// Python site's update (no failure, its examples weighed), it answers every evaluation,
    /// and the federated model beats the pretrained one on the target domain's test split.
    /// A coordinator of `rounds` rounds (`strategy`: coordinator.yaml's lines after the
    /// training keys), two Swift sites and the Python site `site-py`, started in `run`.
    static func startFederation(
        _ run: ProcessFederationTests.Run, rounds: Int, epochs: Int, strategy: String = "strategy:\n  clip_norm: 10"
    ) throws -> (coordinator: Process, sites: [Process], python: Process, port: Int) {
        try run.prepare(sites: ["site-a", "site-b", "site-py"])
        try run.write(
            run.coordinatorYAML(listen: "127.0.0.1:0", rounds: rounds, epochs: epochs, strategy: strategy),
            to: "coordinator.yaml")
        let coordinator = try run.start(
            ["coordinator", "--config", "coordinator.yaml", "--port-file", "port"], log: "coordinator.log")
        let port = try run.port()
        let sites = try run.startSites(["site-a", "site-b"], port: port)
        return (coordinator, sites, try Self.startPythonSite("site-py", run: run, port: port), port)
    }

    @Test(.enabled(if: Self.hasNumpy, "no python with numpy (the project's .venv, or python3 on PATH)"))
    func aPythonSiteCompletesRoundsBesideSwiftSites() throws {
        let run = try ProcessFederationTests.Run()
        let started = Date()
        let (coordinator, sites, python, _) = try Self.startFederation(run, rounds: 5, epochs: 5)
        for process in sites + [python, coordinator] { try ProcessFederationTests.Run.wait(for: process, seconds: 120) }
        let seconds = Date().timeIntervalSince(started)

        let pythonLog = run.read("site-py.log") ?? ""
        #expect(python.terminationStatus == 0, "\(pythonLog)")
        #expect(
            (sites + [coordinator]).allSatisfy { $0.terminationStatus == 0 },
            "\(run.read("coordinator.log") ?? "")"
        )
        let state = StateFolder(run.folder.appendingPathComponent("state"))
        let records = try state.records()
        #expect(records.map(\.round) == [1, 2, 3, 4, 5])
        for record in records {
            #expect(record.sites.contains("site-py"), "round \(record.round) did not count the Python site")
            #expect(record.failures.isEmpty, "round \(record.round): \(record.failures)")
            #expect((record.siteExamples?["site-py"] ?? 0) > 0)
            #expect(record.refused?.isEmpty ?? true)
        }
        let evaluations = try state.evaluations()
        #expect(evaluations.map(\.round) == [1, 2, 3, 4, 5])
        #expect(evaluations.allSatisfy { $0.sites.contains("site-py") })
        #expect(pythonLog.contains("update sent: round 5"), "\(pythonLog)")
        #expect(pythonLog.contains("federation finished after 5 rounds"), "\(pythonLog)")

        let before = try Self.accuracy(of: "model", run: run)
        let after = try Self.accuracy(of: "state/model", run: run)
        #expect(after > before + 0.02, "accuracy on target-test.csv: pretrained \(before), federated \(after)")
        print("python site beside two Swift sites: 5 rounds in \(String(format: "%.1f", seconds)) s, accuracy \(before) → \(after)")
    }

    /// The coordinator SIGKILLed after two rounds and restarted on the same port: the Python
    /// site reconnects, announces the base model it kept (so it is not sent again), and takes
    /// part in every remaining round.
    @Test(.enabled(if: Self.hasNumpy, "no python with numpy (the project's .venv, or python3 on PATH)"))
    func aPythonSiteReconnectsAfterTheCoordinatorRestarts() throws {
        let run = try ProcessFederationTests.Run()
        let (first, sites, python, port) = try Self.startFederation(run, rounds: 6, epochs: 15)
        #expect(ProcessFederationTests.Run.eventually(seconds: 60) { ((try? run.rounds()) ?? []).count >= 2 })
        kill(first.processIdentifier, SIGKILL)
        try ProcessFederationTests.Run.wait(for: first, seconds: 10)
        let beforeRestart = try run.rounds()
        try run.write(run.coordinatorYAML(listen: "127.0.0.1:\(port)", rounds: 6, epochs: 15), to: "coordinator.yaml")
        let second = try run.start(["coordinator", "--config", "coordinator.yaml"], log: "coordinator-2.log")
        for process in sites + [python, second] { try ProcessFederationTests.Run.wait(for: process, seconds: 90) }

        let pythonLog = run.read("site-py.log") ?? ""
        #expect(beforeRestart.count < 6, "the kill should land mid-run")
        #expect(python.terminationStatus == 0, "\(pythonLog)")
        #expect(second.terminationStatus == 0, "\(run.read("coordinator-2.log") ?? "")")
        let records = try StateFolder(run.folder.appendingPathComponent("state")).records()
        #expect(records.map(\.round) == [1, 2, 3, 4, 5, 6])
        #expect(records.allSatisfy { $0.sites.contains("site-py") }, "\(records.map(\.failures))")
        #expect(pythonLog.contains("reconnecting"), "\(pythonLog)")
        // One base model for the whole run: the reconnected site announced the digest it kept.
        #expect(pythonLog.components(separatedBy: "base model").count - 1 == 1, "\(pythonLog)")
    }

    /// A federation that compresses updates, which the Python site does not do: it says so in
    /// one sentence, which the coordinator records as the reason it stopped, and exits 1; the
    /// Swift sites finish the round without it.
    @Test(.enabled(if: Self.hasNumpy, "no python with numpy (the project's .venv, or python3 on PATH)"))
    func aPythonSiteRefusesCompressionInASentenceTheCoordinatorRecords() throws {
        let run = try ProcessFederationTests.Run()
        let strategy = """
            quorum: 2
            strategy:
              clip_norm: 10
              compression: int8
            """
        let (coordinator, sites, python, _) = try Self.startFederation(run, rounds: 1, epochs: 1, strategy: strategy)
        try ProcessFederationTests.Run.wait(for: python, seconds: 60)
        let pythonLog = run.read("site-py.log") ?? ""
        #expect(python.terminationStatus == 1)
        #expect(pythonLog.contains("error: this Python site does not support compressed updates"), "\(pythonLog)")
        #expect(!pythonLog.contains("Traceback"), "\(pythonLog)")

        // The round the Python site left still closes with the two Swift sites, and the run ends.
        for process in sites + [coordinator] { try ProcessFederationTests.Run.wait(for: process, seconds: 60) }
        #expect(
            (sites + [coordinator]).allSatisfy { $0.terminationStatus == 0 },
            "\(run.read("coordinator.log") ?? "")"
        )
        let records = try StateFolder(run.folder.appendingPathComponent("state")).records()
        let first = try #require(records.first)
        let reason = first.failures["site-py"] ?? first.stopped?["site-py"] ?? ""
        #expect(reason.contains("this Python site does not support compressed updates"), "\(first)")
        #expect(first.sites.sorted() == ["site-a", "site-b"])
    }
}
