import Clocks
import FedClient
import FedCoordinator
import FedObserve
import FedRounds
import Foundation
import Testing

/// A running federation for the metrics and status tests: three honest sites and one that
/// joins and never answers, on an injected clock, so every round waits at its deadline with
/// only "silent" outstanding — a stable moment to scrape — until the test advances the clock.
struct ObservedFederation {
    let folder: URL
    let configuration: CoordinatorConfiguration
    let coordinator: Coordinator
    let clock: TestClock<Duration>
    let run: Task<[Int], any Error>
    /// The port `/metrics`, `/status.json` and `/` are served on.
    let metricsPort: Int

    static let honest = ["site-a", "site-b", "site-c"]

    /// Starts it with `rounds` rounds; `meters` counts site-a's training.
    static func start(rounds: Int = 2, meters: SiteMeters? = nil) async throws
        -> ObservedFederation
    {
        let (folder, prepared, sites) = try FederationTests.prepare(sites: Self.honest + ["silent"])
        var configuration = prepared
        configuration.policy = RoundPolicy(rounds: rounds, minSites: 4, quorum: 3, deadlineSeconds: 600)
        configuration.metrics = .init(host: "127.0.0.1", port: 0)
        let clock = TestClock()
        let coordinator = try Coordinator(configuration: configuration, logger: FederationTests.quiet, clock: clock)
        let silent = sites[3].identity
        var siteTasks = sites.prefix(3).map(FederationTests.honest)
        if let meters {
            var first = sites[0]
            first.meters = meters
            siteTasks[0] = FederationTests.honest(first)
        }
        siteTasks.append { port in try await RogueSite(identity: silent, port: port, misbehaviour: .silent).run() }
        let (ports, continuation) = AsyncStream.makeStream(of: (String, Int).self)
        let run = Task {
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    try await coordinator.run(
                        onListening: { continuation.yield(("sites", $0)) },
                        onMetricsListening: { continuation.yield(("metrics", $0)) })
                }
                var iterator = ports.makeAsyncIterator()
                var metrics = 0
                var port = 0
                while port == 0, let (kind, value) = await iterator.next() {
                    if kind == "metrics" { metrics = value } else { port = value }
                }
                #expect(metrics > 0, "the metrics listener starts before the sites' listener")
                for site in siteTasks { group.addTask { [port] in try await site(port) } }
                var results: [Int] = []
                for try await result in group { results.append(result) }
                return results
            }
        }
        var metricsPort: Int?
        for _ in 0..<3000 where metricsPort == nil {
            metricsPort = await coordinator.metricsPort
            if metricsPort == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        return ObservedFederation(
            folder: folder, configuration: configuration, coordinator: coordinator, clock: clock, run: run,
            metricsPort: try #require(metricsPort))
    }

    /// Waits (at most a minute) until `finished` rounds are recorded and the open round waits
    /// only for "silent".
    func waitUntilOnlySilentIsTraining(finished: Int) async throws {
        for _ in 0..<3000 {
            if await self.coordinator.awaiting == ["silent"], (try? self.records().count) == finished { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("round \(finished + 1) did not reach the point where only 'silent' is training")
    }

    /// Closes the open round at its deadline.
    func passDeadline() async {
        await self.clock.advance(by: .seconds(600))
    }

    /// Passes the remaining deadlines (the last round's, then its evaluation's) and returns
    /// what every party's run returned.
    func finish() async throws -> [Int] {
        let rounds = self.configuration.policy.rounds
        try await self.waitUntilOnlySilentIsTraining(finished: rounds - 1)
        await self.passDeadline()
        for _ in 0..<3000 where await self.coordinator.awaitingEvaluation != ["silent"] {
            try await Task.sleep(for: .milliseconds(20))
        }
        await self.passDeadline()
        return try await self.run.value
    }

    func records() throws -> [RoundRecord] { try StateFolder(self.configuration.state).records() }

    func get(_ path: String) async throws -> HTTPFetch.Response {
        try await HTTPFetch.get(host: "127.0.0.1", port: self.metricsPort, path: path)
    }

    func remove() { try? FileManager.default.removeItem(at: self.folder) }
}
