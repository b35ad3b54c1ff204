import Clocks
import FedClient
import FedCoordinator
import FedData
import FedLearning
import FedRounds
import FedTLS
import FedTensor
import FedWire
import Foundation
import Logging
import OrderedCollections
import Testing

/// A whole federation in one test process: a coordinator and three sites talking mutual
/// TLS on 127.0.0.1 with an ephemeral port, a small MLP, a few rounds.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct FederationTests {
    static let domain = SyntheticDomain(features: 6, classes: 3, noise: 1.5, worldSeed: 11)

    /// The tests' tabular model: 6 features x0…x5, 3 classes c0…c2, an MLP of `hidden`.
    static func architecture(hidden: [Int] = [16]) -> ModelArchitecture {
        ModelArchitecture(
            inputs: 6,
            hidden: hidden,
            classes: 3,
            featureNames: (0..<6).map { "x\($0)" },
            classNames: ["c0", "c1", "c2"]
        )
    }

    /// Makes the PKI, a pretrained model and each site's private CSV in a fresh folder: by
    /// default a small MLP and synthetic tabular data, or what `writeModel` and `writeData` write.
    static func prepare(
        sites: [String],
        writeModel: (URL) throws -> Void = { folder in
            try ModelFolder.save(Classifier(architecture: FederationTests.architecture(), seed: 1), to: folder)
        },
        writeData: (Int, URL) throws -> Void = { index, csv in
            try FederationTests.domain.sample(count: 120, seed: UInt64(index + 2)).writeCSV(to: csv)
        }
    ) throws -> (folder: URL, coordinator: CoordinatorConfiguration, sites: [SiteConfiguration]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-federation-\(UUID())")
        let pki = PKIFolder(folder.appendingPathComponent("certs"))
        _ = try pki.initialise()
        for site in sites { _ = try pki.issueSite(site) }
        let modelFolder = folder.appendingPathComponent("model")
        try writeModel(modelFolder)
        var coordinator = CoordinatorConfiguration(
            identity: pki.coordinatorDirectory,
            model: modelFolder,
            state: folder.appendingPathComponent("state"),
            policy: RoundPolicy(rounds: 3, minSites: sites.count, deadlineSeconds: 120)
        )
        coordinator.port = 0
        coordinator.clipNorm = 5
        coordinator.training.epochs = 2
        coordinator.training.batchSize = 16
        coordinator.training.learningRate = 0.01
        let configurations = try sites.enumerated().map { index, site in
            let csv = folder.appendingPathComponent("\(site).csv")
            try writeData(index, csv)
            var configuration = SiteConfiguration(
                coordinatorHost: "127.0.0.1",
                coordinatorPort: 0,
                identity: pki.siteDirectory(site),
                data: csv,
                labelColumn: "label",
                cache: folder.appendingPathComponent("cache-\(site)")
            )
            configuration.maximumReconnects = 3
            return configuration
        }
        return (folder, coordinator, configurations)
    }

    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Runs a coordinator and the given site tasks (each told the bound port) to the end.
    static func federate(
        _ coordinator: Coordinator,
        sites: [@Sendable (Int) async throws -> Int]
    ) async throws -> [Int] {
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        return try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { try await coordinator.run { portContinuation.yield($0) } }
            var ports = portStream.makeAsyncIterator()
            let port = try #require(await ports.next())
            for site in sites { group.addTask { try await site(port) } }
            var results: [Int] = []
            for try await result in group { results.append(result) }
            return results
        }
    }

    /// Starts `coordinator` listening on an ephemeral port; its run, and the port.
    static func start(_ coordinator: Coordinator) async throws -> (running: Task<Int, any Error>, port: Int) {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let running = Task { try await coordinator.run { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            _ = try await running.value
            throw CancellationError()
        }
        return (running, port)
    }

    static func honest(_ configuration: SiteConfiguration) -> @Sendable (Int) async throws -> Int {
        { port in
            var configuration = configuration
            configuration.coordinatorPort = port
            return try await Site(configuration: configuration, logger: Self.quiet).run()
        }
    }

    @Test func poisonedUpdatesAreRejectedAndTheRoundCompletesWithTheOthers() async throws {
        let (folder, configuration, sites) = try Self.prepare(sites: ["site-a", "site-b", "rogue"])
        defer { try? FileManager.default.removeItem(at: folder) }
        var policy = configuration.policy
        policy.quorum = 2
        var coordinatorConfiguration = configuration
        coordinatorConfiguration.policy = policy
        let coordinator = try Coordinator(configuration: coordinatorConfiguration, logger: Self.quiet)
        let rogueIdentity = sites[2].identity

        let results = try await Self.federate(
            coordinator,
            sites: [
                Self.honest(sites[0]), Self.honest(sites[1]),
                { port in
                    try await RogueSite(identity: rogueIdentity, port: port) { tensors in
                        tensors.mapValues { tensor in
                            var poisoned = tensor
                            poisoned.scalars[0] = .nan
                            return poisoned
                        }
                    }.run()
                },
            ]
        )

        #expect(results.sorted() == [3, 3, 3, 3])
        let state = StateFolder(coordinatorConfiguration.state)
        let records = try state.records()
        #expect(records.map(\.sites) == Array(repeating: ["site-a", "site-b"], count: 3))
        #expect(records.allSatisfy { $0.failures["rogue"]?.contains("NaN") == true })
        let (_, blob) = try #require(try state.latest())
        let final = try ModelPackage.decode(blob, source: "final")
        #expect(final.parameters.entries.allSatisfy { $0.value.isFinite })
    }

    static let brokenSites: [RogueSite.Misbehaviour] = [.garbage, .oversizedFrame(256 * 1024)]

    @Test(arguments: brokenSites)
    func brokenSiteIsDisconnectedAndTheOthersFinishEveryRound(misbehaviour: RogueSite.Misbehaviour) async throws {
        let (folder, configuration, sites) = try Self.prepare(sites: ["site-a", "site-b", "rogue"])
        defer { try? FileManager.default.removeItem(at: folder) }
        var coordinatorConfiguration = configuration
        // Two honest sites are enough to go on once the broken one is gone.
        coordinatorConfiguration.policy.minSites = 2
        coordinatorConfiguration.policy.quorum = 2
        coordinatorConfiguration.limits = WireLimits(maximumFrameBytes: 64 * 1024, chunkBytes: 16 * 1024)
        let coordinator = try Coordinator(configuration: coordinatorConfiguration, logger: Self.quiet)
        let rogueIdentity = sites[2].identity

        let results = try await Self.federate(
            coordinator,
            sites: [
                Self.honest(sites[0]), Self.honest(sites[1]),
                { port in
                    // The coordinator hangs up on it: its conversation just ends.
                    (try? await RogueSite(identity: rogueIdentity, port: port, misbehaviour: misbehaviour).run()) ?? -1
                },
            ]
        )

        #expect(results.sorted() == [-1, 3, 3, 3])
        let records = try StateFolder(coordinatorConfiguration.state).records()
        #expect(records.map(\.round) == [1, 2, 3])
        #expect(
            records.allSatisfy { Set($0.sites).isSuperset(of: ["site-a", "site-b"]) && !$0.sites.contains("rogue") }
        )
    }

    /// A site that claims 2^31 examples (a zero update, a perfect evaluation) weighs no more
    /// than it announced when it joined, or than `max_examples_per_site`; the cut is recorded.
    @Test(arguments: [(Int?.some(40), Int?.none, 40), (nil, 100, 100), (500, 100, 100)])
    func aSiteClaimingHugeCountsWeighsNoMoreThanItsBound(announced: Int?, limit: Int?, bound: Int) async throws {
        let (folder, prepared, sites) = try Self.prepare(sites: ["site-a", "site-b", "greedy"])
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = prepared
        configuration.policy.rounds = 1
        configuration.maxExamplesPerSite = limit
        let greedy = sites[2].identity
        let claimed = 1 << 31
        let results = try await Self.federate(
            try Coordinator(configuration: configuration, logger: Self.quiet),
            sites: [
                Self.honest(sites[0]), Self.honest(sites[1]),
                { port in
                    try await RogueSite(
                        identity: greedy,
                        port: port,
                        misbehaviour: .inflated(announced: announced, claimed: claimed)
                    ).run()
                },
            ]
        )
        #expect(results.sorted() == [1, 1, 1, 1])
        let record = try #require(try StateFolder(configuration.state).records().first)
        #expect(record.capped == ["greedy": claimed])
        #expect(record.siteExamples?["greedy"] == bound)
        let evaluation = try #require(try StateFolder(configuration.state).evaluations().first)
        let honest = evaluation.examples - bound
        #expect(honest > 0 && honest < 100, "the honest sites' held-out rows, plus the bound: \(evaluation.examples)")
        #expect((evaluation.metrics["accuracy"] ?? 1) < 0.99, "a perfect score of 2^31 rows would read 0.99999995")
    }

    /// A 600-second deadline on a test clock: the round closes with the two sites that
    /// reported as soon as the clock is moved past it, without waiting 600 real seconds.
    @Test func deadlineOnAnInjectedClockClosesTheRoundWithTheQuorum() async throws {
        let (folder, prepared, sites) = try Self.prepare(sites: ["site-a", "site-b", "silent"])
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = prepared
        configuration.policy = RoundPolicy(rounds: 1, minSites: 3, quorum: 2, deadlineSeconds: 600)
        let clock = TestClock()
        let coordinator = try Coordinator(configuration: configuration, logger: Self.quiet, clock: clock)
        let silentIdentity = sites[2].identity

        let run = Task {
            try await Self.federate(
                coordinator,
                sites: [
                    Self.honest(sites[0]), Self.honest(sites[1]),
                    { port in try await RogueSite(identity: silentIdentity, port: port, misbehaviour: .silent).run() },
                ]
            )
        }
        // Bounded: at most 60 s of real time for the honest sites to report.
        for _ in 0..<3000 where await coordinator.awaiting != ["silent"] {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(await coordinator.awaiting == ["silent"])
        await clock.advance(by: .seconds(600))
        // The silent site does not evaluate either: the run ends at the evaluation's deadline.
        for _ in 0..<3000 where await coordinator.awaitingEvaluation != ["silent"] {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(await coordinator.awaitingEvaluation == ["silent"])
        await clock.advance(by: .seconds(600))
        let results = try await run.value

        #expect(results.sorted() == [1, 1, 1, 1])
        let records = try StateFolder(configuration.state).records()
        #expect(records.map(\.sites) == [["site-a", "site-b"]])
        #expect(records.first?.failures == ["silent": "no report before the deadline"])
        #expect(records.first.map { $0.seconds >= 600 } == true, "the round's time is read from the injected clock")
        #expect(try StateFolder(configuration.state).evaluations().first?.sites == ["site-a", "site-b"])
    }

    @Test func restartedCoordinatorResumesAfterItsLastFinishedRound() async throws {
        let (folder, prepared, sites) = try Self.prepare(sites: ["site-a", "site-b", "site-c"])
        defer { try? FileManager.default.removeItem(at: folder) }
        // Only the newest checkpoint is kept, and that is all a restart needs.
        var configuration = prepared
        configuration.keepCheckpoints = 1
        var first = configuration
        first.policy.rounds = 2
        var second = configuration
        second.policy.rounds = 4

        let firstRun = try await Self.federate(
            try Coordinator(configuration: first, logger: Self.quiet),
            sites: sites.map(Self.honest)
        )
        let afterFirst = try StateFolder(configuration.state).records()
        let checkpointsAfterFirst = try FileManager.default.contentsOfDirectory(atPath: configuration.state.path)
            .filter { $0.hasPrefix("global-") }
        let secondRun = try await Self.federate(
            try Coordinator(configuration: second, logger: Self.quiet),
            sites: sites.map(Self.honest)
        )

        #expect(firstRun == [2, 2, 2, 2])
        #expect(afterFirst.map(\.round) == [1, 2])
        #expect(secondRun == [4, 4, 4, 4])
        #expect(try StateFolder(configuration.state).records().map(\.round) == [1, 2, 3, 4])
        #expect(checkpointsAfterFirst == ["global-00002.safetensors"])
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: configuration.state.path).filter {
            $0.hasPrefix("global-")
        }
        #expect(checkpoints == ["global-00004.safetensors"])
    }

    @Test func threeSitesFinishEveryRoundAndTheCoordinatorCheckpointsEach() async throws {
        let (folder, coordinatorConfiguration, siteConfigurations) = try Self.prepare(sites: [
            "site-a", "site-b", "site-c",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let coordinator = try Coordinator(configuration: coordinatorConfiguration, logger: Self.quiet)

        let rounds = try await Self.federate(coordinator, sites: siteConfigurations.map(Self.honest))

        #expect(rounds == [3, 3, 3, 3])
        let records = try StateFolder(coordinatorConfiguration.state).records()
        #expect(records.map(\.round) == [1, 2, 3])
        #expect(
            records.allSatisfy {
                $0.sites == ["site-a", "site-b", "site-c"] && $0.examples == 3 * 96 && $0.failures.isEmpty
            }
        )
        #expect(records.allSatisfy { ($0.trainMetrics["loss"] ?? .nan).isFinite })
        for round in 1...3 {
            #expect(
                FileManager.default.fileExists(
                    atPath: StateFolder(coordinatorConfiguration.state).checkpointURL(round: round).path
                )
            )
        }
        // Federated evaluation: every site scored each round's global model on its 24
        // held-out examples, and the accuracies are example-weighted means.
        let evaluations = try StateFolder(coordinatorConfiguration.state).evaluations()
        #expect(evaluations.map(\.round) == [1, 2, 3])
        #expect(evaluations.allSatisfy { $0.sites == ["site-a", "site-b", "site-c"] && $0.examples == 3 * 24 })
        #expect(
            evaluations.allSatisfy { (0...1).contains($0.metrics["accuracy"] ?? -1) && $0.metrics["macro_f1"] != nil }
        )
    }
}
