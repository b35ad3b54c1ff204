import FedClient
import FedCoordinator
import FedData
import FedLearning
import FedRounds
import FedTLS
import FedTestSupport
import FedWire
import Foundation
import Testing

/// Every refusal says why, on both sides: the coordinator answers a refused message with
/// a `failure` naming the reason (and keeps going), and a site stops with one sentence.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RefusalTests {
    /// Runs a coordinator with one site allowed ("rogue"), lets `script` talk to it, then
    /// stops the coordinator; returns what the script saw and the coordinator's records.
    static func refusal(
        rounds: Int = 1,
        minSites: Int = 1,
        _ script: @escaping @Sendable (URL, Int, Coordinator) async throws -> ScriptedSite.Outcome
    ) async throws -> (ScriptedSite.Outcome, [RoundRecord]) {
        let (folder, configuration, sites) = try FederationTests.prepare(sites: ["rogue"])
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = configuration
        settings.policy.rounds = rounds
        settings.policy.minSites = minSites
        settings.policy.quorum = 1
        // Long enough for a loaded machine; scripted sites answer `evaluate` at once, so
        // the run's end never waits for it.
        settings.policy.deadlineSeconds = 120
        let coordinator = try Coordinator(configuration: settings, logger: FederationTests.quiet)
        let identity = sites[0].identity
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let outcome = try await withThrowingTaskGroup(of: ScriptedSite.Outcome?.self) { group in
            group.addTask {
                _ = try await coordinator.run { continuation.yield($0) }
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let outcome = try await script(identity, port, coordinator)
            await coordinator.shutdown()
            for try await _ in group {}
            return outcome
        }
        return (outcome, try StateFolder(settings.state).records())
    }

    static func scripted(_ steps: [ScriptedSite.Step], hello: Bool = true) async throws -> ScriptedSite.Outcome {
        try await Self.refusal { identity, port, _ in
            try await ScriptedSite(identity: identity, port: port, sendHello: hello, steps: steps).run()
        }.0
    }

    @Test func aConnectionThatDoesNotStartWithHelloIsToldSo() async throws {
        let outcome = try await Self.scripted(
            [.json(#"{"type":"evaluation","body":{"round":1,"examples":1,"metrics":{}}}"#)],
            hello: false
        )
        #expect(outcome.closed)
        #expect(outcome.failures.map(\.message).contains { $0.contains("the first message must be hello") })
    }

    @Test(arguments: [
        (#"{"type":"bogus","body":{}}"#, "unknown message type 'bogus'"),
        (#"{"type":"evaluation","body":{"round":1,"metrics":{}}}"#, "examples"),
        (#"{"type":"evaluation","body":{"round":1,"examples":1.5,"metrics":{}}}"#, "examples"),
        (#"not json"#, "malformed control message"),
        (#"{"type":"hello","body":{"protocolVersion":1,"modelDigests":[]}}"#, "unexpected 'hello' message"),
    ])
    func aRefusedMessageIsAnsweredWithAFailureNamingTheReason(json: String, reason: String) async throws {
        let outcome = try await Self.scripted([.json(json)])
        #expect(outcome.closed)
        #expect(outcome.failures.count == 1)
        #expect(outcome.failures.first?.message.contains(reason) == true, "\(outcome.failures)")
        #expect(outcome.failures.first?.round == nil)
    }

    @Test func aBlobWithTheWrongSHA256IsRefusedNamingIt() async throws {
        let outcome = try await Self.scripted([.corruptBlob(round: 1)])
        #expect(outcome.closed)
        #expect(outcome.failures.first?.message.contains("SHA-256") == true, "\(outcome.failures)")
    }

    @Test func anUpdateForTheWrongRoundIsRefusedButTheConnectionStaysOpenAndTheRefusalIsRecorded() async throws {
        let (outcome, records) = try await Self.refusal { identity, port, _ in
            try await ScriptedSite(
                identity: identity,
                port: port,
                steps: [.echoUpdate(round: 7), .echoUpdate(round: 1)]
            ).run()
        }
        // The site went on to send round 1's update, which closed the run normally.
        #expect(!outcome.closed)
        #expect(outcome.failures.map(\.round) == [7])
        #expect(outcome.failures.first?.message == "update refused: update is for round 7, the open round is 1")
        #expect(records.map(\.round) == [1])
        #expect(records.first?.siteExamples == ["rogue": 5])
        #expect(
            records.first?.refused
                == [.init(site: "rogue", round: 7, reason: "update is for round 7, the open round is 1")]
        )
    }

    @Test func aSecondConnectionWithTheSameCertificateReplacesTheFirstWhichIsToldWhy() async throws {
        let (outcome, _) = try await Self.refusal(minSites: 2) { identity, port, coordinator in
            async let first = ScriptedSite(identity: identity, port: port, steps: []).run()
            // The second connection only once the first has joined.
            for _ in 0..<1000 where await coordinator.connectedSites.isEmpty {
                try await Task.sleep(for: .milliseconds(20))
            }
            let second = Task { try await ScriptedSite(identity: identity, port: port, steps: []).run() }
            let outcome = try await first
            second.cancel()
            return outcome
        }
        #expect(outcome.closed)
        #expect(
            outcome.failures.map(\.message) == ["another connection with this site's certificate replaced this one"]
        )
    }
}

/// A site stops at once, with one sentence, when retrying cannot help.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct SiteStopTests {
    @Test func aSiteWhoseDataLacksAModelColumnStopsAndTheCoordinatorRecordsItsReason() async throws {
        let (folder, configuration, sites) = try FederationTests.prepare(
            sites: ["site-a", "site-b"],
            writeData: { index, csv in
                try FederationTests.domain.sample(count: 120, seed: UInt64(index + 2)).writeCSV(to: csv)
                guard index == 1 else { return }
                // site-b's export lost the column x5.
                let lines = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n").map {
                    $0.split(separator: ",", omittingEmptySubsequences: false).enumerated()
                        .filter { $0.offset != 5 }.map(\.element).joined(separator: ",")
                }
                try (lines.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
            }
        )
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try String(contentsOf: sites[1].data, encoding: .utf8).hasPrefix("x0,x1,x2,x3,x4,label"))
        var settings = configuration
        // site-b stops before any round may need it, so one site is enough to run.
        settings.policy.rounds = 3
        settings.policy.minSites = 1
        settings.policy.quorum = 1
        settings.policy.deadlineSeconds = 30
        let coordinator = try Coordinator(configuration: settings, logger: FederationTests.quiet)
        let honest = FederationTests.honest(sites[0])
        let bad = sites[1]
        let results = try await FederationTests.federate(
            coordinator,
            sites: [
                honest,
                { port in
                    var configuration = bad
                    configuration.coordinatorPort = port
                    do {
                        _ = try await Site(configuration: configuration, logger: FederationTests.quiet).run()
                        Issue.record("site-b should have stopped")
                    } catch let error as SiteError {
                        guard case .dataMismatch(let detail) = error else {
                            Issue.record("site-b stopped for another reason: \(error)")
                            return -2
                        }
                        #expect(detail.contains("no column named 'x5'"), "\(detail)")
                    }
                    return -1
                },
            ]
        )
        #expect(results.sorted() == [-1, 3, 3])
        let records = try StateFolder(settings.state).records()
        #expect(records.allSatisfy { $0.sites == ["site-a"] })
        let reasons = records.compactMap { $0.stopped?["site-b"] }
        let reason = try #require(reasons.first)
        #expect(reason.hasPrefix("this site's data does not fit the model: "), "\(reason)")
        #expect(reason.contains("no column named 'x5'"))
    }

    @Test func aSiteWithACertificateFromAnotherCAStopsAtOnceSayingSo() async throws {
        let (folder, configuration, sites) = try FederationTests.prepare(sites: ["site-a"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let other = PKIFolder(folder.appendingPathComponent("other-certs"))
        _ = try other.initialise()
        _ = try other.issueSite("site-a")
        var site = sites[0]
        site.identity = other.siteDirectory("site-a")
        // A refusal ends the site with the certificate sentence on its first attempt. (The site
        // waits for the handshake's verdict before writing hello; before it did, a hello written
        // during the handshake could fail as a closed channel first and be retried as a lost
        // connection.) A site that retried would end with "gave up", which fails this test.
        site.maximumReconnects = 0
        let coordinator = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        _ = try? await FederationTests.federate(
            coordinator,
            sites: [
                { [site] port in
                    var site = site
                    site.coordinatorPort = port
                    let error = await #expect(throws: SiteError.self) {
                        _ = try await Site(configuration: site, logger: FederationTests.quiet).run()
                    }
                    await coordinator.shutdown()
                    guard case .connection(let sentence)? = error else {
                        Issue.record("expected a connection refusal, got \(String(describing: error))")
                        return 0
                    }
                    #expect(sentence.contains("presented a certificate this site's CA"), "\(sentence)")
                    #expect(!sentence.contains("SSL") && !sentence.contains(".cc"), "\(sentence)")
                    return 0
                }
            ]
        )
    }

    @Test func identitiesInTheWrongRoleAndABusyPortAreRefusedWithASentence() async throws {
        let (folder, configuration, sites) = try FederationTests.prepare(sites: ["site-a"])
        defer { try? FileManager.default.removeItem(at: folder) }
        // The coordinator's folder given to a site.
        var site = sites[0]
        site.identity = configuration.identity
        let siteError = await #expect(throws: PKIError.self) {
            _ = try await Site(configuration: site, logger: FederationTests.quiet).run()
        }
        #expect("\(siteError.map { "\($0)" } ?? "")".contains("it is not a site certificate (it lacks clientAuth)"))
        // A site's folder given to the coordinator.
        var wrong = configuration
        wrong.identity = sites[0].identity
        let coordinatorError = await #expect(throws: PKIError.self) {
            _ = try await Coordinator(configuration: wrong, logger: FederationTests.quiet).run()
        }
        #expect("\(coordinatorError.map { "\($0)" } ?? "")".contains("it is not a coordinator certificate"))
        // A host the certificate does not name.
        var elsewhere = configuration
        elsewhere.hosts = ["fed.example.org"]
        let hostError = await #expect(throws: PKIError.self) {
            _ = try await Coordinator(configuration: elsewhere, logger: FederationTests.quiet).run()
        }
        #expect("\(hostError.map { "\($0)" } ?? "")".contains("it does not name 'fed.example.org'"))
        // A port another coordinator already holds.
        let first = try Coordinator(configuration: configuration, logger: FederationTests.quiet)
        let (running, port) = try await FederationTests.start(first)
        var second = configuration
        second.port = port
        second.state = folder.appendingPathComponent("state-2")
        let busy = await #expect(throws: CoordinatorError.self) {
            _ = try await Coordinator(configuration: second, logger: FederationTests.quiet).run()
        }
        #expect(
            busy
                == .cannotListen(
                    host: "127.0.0.1",
                    port: port,
                    reason: "port \(port) on 127.0.0.1 is already in use — is another coordinator running?"
                )
        )
        await first.shutdown()
        _ = try await running.value
    }
}

extension SiteStopTests {
    /// `fedtune client` as an operator runs it, bounded in time; (status, stderr).
    static func client(_ arguments: [String]) async throws -> (Int32, String) {
        let process = Process()
        process.executableURL = Repository.fedtune
        process.arguments = ["client"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let killer = Task {
            try await Task.sleep(for: .seconds(60))
            process.terminate()
        }
        let stderr = await Task.detached { errors.fileHandleForReading.readDataToEndOfFile() }.value
        process.waitUntilExit()
        killer.cancel()
        return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }

    @Test func aSiteOutsideTheAllowListExitsNonZeroWithOneSentence() async throws {
        let (folder, configuration, sites) = try FederationTests.prepare(sites: ["site-a", "site-d"])
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = configuration
        settings.allowList = ["site-a"]
        let coordinator = try Coordinator(configuration: settings, logger: FederationTests.quiet)
        let (running, port) = try await FederationTests.start(coordinator)
        let (status, stderr) = try await Self.client([
            "--coordinator", "127.0.0.1:\(port)", "--identity", sites[1].identity.path,
            "--data", sites[1].data.path, "--label", "label", "--cache", folder.appendingPathComponent("cache").path,
        ])
        await coordinator.shutdown()
        _ = try await running.value
        #expect(status == 1)
        #expect(
            stderr
                == "error: the coordinator refused this site: site 'site-d' holds a valid certificate but is not "
                + "on this coordinator's allow-list (coordinator.yaml: allow)\n",
            "\(stderr)"
        )
    }
}
