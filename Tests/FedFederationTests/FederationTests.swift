import FedClient
import FedCoordinator
import FedData
import FedLearning
import FedRounds
import FedTLS
import FedWire
import Foundation
import Logging
import Testing

/// A whole federation in one test process: a coordinator and three sites talking mutual
/// TLS on 127.0.0.1 with an ephemeral port, a small MLP, a few rounds.
@Suite(.timeLimit(.minutes(1)))
struct FederationTests {
    static let domain = SyntheticDomain(features: 6, classes: 3, noise: 1.5, worldSeed: 11)

    /// Makes the PKI, a pretrained model and each site's private CSV in a fresh folder.
    static func prepare(sites: [String]) throws -> (folder: URL, coordinator: CoordinatorConfiguration, sites: [SiteConfiguration]) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-federation-\(UUID())")
        let pki = PKIFolder(folder.appendingPathComponent("certs"))
        _ = try pki.initialise()
        for site in sites { _ = try pki.issueSite(site) }
        let architecture = ModelArchitecture(
            inputs: 6, hidden: [16], classes: 3, featureNames: (0..<6).map { "x\($0)" }, classNames: ["c0", "c1", "c2"])
        let model = Classifier(architecture: architecture, seed: 1)
        let modelFolder = folder.appendingPathComponent("model")
        try ModelFolder.save(model, to: modelFolder)
        var coordinator = CoordinatorConfiguration(
            identity: pki.coordinatorDirectory, model: modelFolder, state: folder.appendingPathComponent("state"),
            policy: RoundPolicy(rounds: 3, minSites: sites.count, deadlineSeconds: 20))
        coordinator.port = 0
        coordinator.clipNorm = 5
        coordinator.training = .object(["epochs": .number(2), "batchSize": .number(16), "learningRate": .number(0.01)])
        let configurations = try sites.enumerated().map { index, site in
            let csv = folder.appendingPathComponent("\(site).csv")
            try Self.domain.sample(count: 120, seed: UInt64(index + 2)).writeCSV(to: csv)
            var configuration = SiteConfiguration(
                coordinatorHost: "127.0.0.1", coordinatorPort: 0, identity: pki.siteDirectory(site), data: csv,
                labelColumn: "label", cache: folder.appendingPathComponent("cache-\(site)"))
            configuration.maximumReconnects = 3
            return configuration
        }
        return (folder, coordinator, configurations)
    }

    @Test func threeSitesFinishEveryRoundAndTheCoordinatorCheckpointsEach() async throws {
        let (folder, coordinatorConfiguration, siteConfigurations) = try Self.prepare(sites: ["site-a", "site-b", "site-c"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let coordinator = try Coordinator(configuration: coordinatorConfiguration, logger: Logger(label: "test.coordinator", factory: { _ in SwiftLogNoOpLogHandler() }))
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)

        let rounds = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { try await coordinator.run { portContinuation.yield($0) } }
            var ports = portStream.makeAsyncIterator()
            let port = try #require(await ports.next())
            for var configuration in siteConfigurations {
                configuration.coordinatorPort = port
                let site = Site(configuration: configuration, logger: Logger(label: "test.site", factory: { _ in SwiftLogNoOpLogHandler() }))
                group.addTask { try await site.run() }
            }
            var results: [Int] = []
            for try await result in group { results.append(result) }
            return results
        }

        #expect(rounds == [3, 3, 3, 3])
        let records = try StateFolder(coordinatorConfiguration.state).records()
        #expect(records.map(\.round) == [1, 2, 3])
        #expect(records.allSatisfy { $0.sites == ["site-a", "site-b", "site-c"] && $0.examples == 3 * 96 && $0.failures.isEmpty })
        #expect(records.allSatisfy { ($0.trainMetrics["loss"] ?? .nan).isFinite })
        for round in 1...3 {
            #expect(FileManager.default.fileExists(atPath: StateFolder(coordinatorConfiguration.state).checkpointURL(round: round).path))
        }
    }
}
