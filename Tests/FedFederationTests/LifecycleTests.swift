import Foundation
import Testing

/// The coordinator and the sites as services, through the binary an operator runs: JSON
/// logs one object per event with short numbers, SIGHUP reloading the access lists without
/// stopping anything, SIGINT and SIGTERM stopping in order, and `--log-level`.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct LifecycleTests {
    typealias Run = ProcessFederationTests.Run

    /// Prepares three sites and starts the coordinator with `options`; returns it and its port.
    static func start(_ run: Run, rounds: Int, epochs: Int, options: [String]) throws -> (Process, Int) {
        try run.prepare(sites: ["site-a", "site-b", "site-c"])
        try run.write(run.coordinatorYAML(listen: "127.0.0.1:0", rounds: rounds, epochs: epochs), to: "coordinator.yaml")
        let coordinator = try run.start(
            ["coordinator", "--config", "coordinator.yaml", "--port-file", "port"] + options, log: "coordinator.log")
        return (coordinator, try run.port())
    }

    /// The log's JSON lines as objects (the closing summary lines are plain text on stdout).
    static func events(_ log: String) throws -> [[String: Any]] {
        try log.split(separator: "\n").filter { $0.hasPrefix("{") }.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0)")
        }
    }

    @Test func jsonLogsAHangupReloadAndAnInterruptThatStopsInOrder() throws {
        let run = try Run()
        let (coordinator, port) = try Self.start(run, rounds: 50, epochs: 15, options: ["--log-format", "json"])
        let clients = try run.startSites(["site-a", "site-b", "site-c"], port: port)
        #expect(Run.eventually(seconds: 60) { ((try? run.rounds()) ?? []).count >= 1 })

        // SIGHUP would end a process that does not trap it: the coordinator reloads and goes on.
        kill(coordinator.processIdentifier, SIGHUP)
        #expect(Run.eventually(seconds: 10) { run.read("coordinator.log")?.contains("access lists reloaded") == true })
        let before = try run.rounds().count
        #expect(Run.eventually(seconds: 60) { ((try? run.rounds()) ?? []).count > before })
        #expect(coordinator.isRunning)

        // One site stopped by SIGTERM says so and exits 0; the run goes on without it.
        kill(clients[2].processIdentifier, SIGTERM)
        try Run.wait(for: clients[2], seconds: 15)
        #expect(clients[2].terminationStatus == 0)
        #expect(run.read("site-c.log")?.contains("site stopped by signal") == true, "\(run.read("site-c.log") ?? "")")

        let signalled = Date()
        kill(coordinator.processIdentifier, SIGINT)
        try Run.wait(for: coordinator, seconds: 15)
        #expect(Date().timeIntervalSince(signalled) < 5, "stopped \(Date().timeIntervalSince(signalled)) s after SIGINT")
        #expect(coordinator.terminationStatus == 0, "\(run.read("coordinator.log") ?? "")")
        for client in clients { client.terminate() }
        for client in clients { try Run.wait(for: client, seconds: 15) }

        let log = try #require(run.read("coordinator.log"))
        let events = try Self.events(log)
        #expect(events.allSatisfy { $0["time"] is String && $0["level"] is String && $0["message"] is String })
        #expect(events.allSatisfy { $0["logger"] as? String == "fedtune.coordinator" })
        // Before the sites come: how many more are needed, and who is here.
        let waiting = try #require(events.first { ($0["message"] as? String)?.hasPrefix("waiting for") == true })
        #expect(waiting["message"] as? String == "waiting for 3 more sites" && waiting["sites.connected"] as? String == "none")
        #expect(events.contains { $0["message"] as? String == "site joined" && $0["client.id"] as? String == "site-a" })
        let closed = events.filter { $0["message"] as? String == "round closed" }
        #expect(closed.count == (try run.rounds().count))
        #expect(closed.allSatisfy { $0["round.number"] is Int && $0["round.sites"] is Int && $0["round.seconds"] is Double })
        // Numbers are written as JSON numbers with four significant digits at most.
        let losses = log.matches(of: /"round\.train_loss":(-?[0-9.]+(?:e-?[0-9]+)?)[,}]/).map { String($0.1) }
        #expect(!losses.isEmpty)
        for loss in losses {
            let digits = loss.split(separator: "e")[0].filter(\.isNumber).drop { $0 == "0" }
            #expect(digits.count <= 4, "\(loss)")
        }
        #expect(events.contains { $0["message"] as? String == "shutting down" })
    }

    @Test func aLogLevelLeavesOutWhatIsLessSevere() throws {
        let run = try Run()
        let (coordinator, port) = try Self.start(run, rounds: 2, epochs: 1, options: ["--log-level", "warning"])
        let clients = try run.startSites(["site-a", "site-b", "site-c"], port: port)
        for process in clients + [coordinator] { try Run.wait(for: process, seconds: 60) }

        #expect(coordinator.terminationStatus == 0)
        #expect(try run.rounds() == [1, 2])
        let log = try #require(run.read("coordinator.log"))
        #expect(!log.contains("round closed") && !log.contains("site joined"), "\(log)")
        #expect(log.contains("coordinator stopped after 2 finished rounds"))
        // A level that does not exist is refused by the parser, naming the choices.
        let refused = try run.start(["coordinator", "--config", "coordinator.yaml", "--log-level", "loud"], log: "bad.log")
        try Run.wait(for: refused, seconds: 30)
        #expect(refused.terminationStatus != 0)
        #expect(run.read("bad.log")?.contains("--log-level") == true, "\(run.read("bad.log") ?? "")")
    }
}
