import FedClient
import FedCoordinator
import FedLearning
import FedSupport
import FedTensor
import FedWire
import Foundation
import NIOCore
import Testing

/// A site facing a coordinator that means harm: each trigger comes over the wire, and the
/// site stops at once with the reason (it does not retry a broken protocol), without
/// allocating what it was told to and without reading outside its cache.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct HostileCoordinatorTests {
    /// Runs one site (its settings changed by `configure`) against a hostile coordinator
    /// running `script`; the site's error and the connections it made.
    static func site(
        configure: (inout SiteConfiguration) -> Void = { _ in },
        _ script: @escaping HostileCoordinator.Script
    ) async throws -> (error: String, connections: Int) {
        let (folder, coordinator, sites) = try FederationTests.prepare(sites: ["site-a"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let hostile = try await HostileCoordinator(identity: coordinator.identity, script: script)
        var configuration = sites[0]
        configuration.coordinatorPort = hostile.port
        configuration.initialBackoff = .milliseconds(10)
        configure(&configuration)
        var message = "no error"
        do {
            _ = try await Site(configuration: configuration, logger: FederationTests.quiet).run()
        } catch {
            message = "\(error)"
        }
        let connections = hostile.connections
        await hostile.close()
        return (message, connections)
    }

    /// The base-model blob of the tests' tabular model, and its digest.
    static func baseModel() throws -> (blob: ByteBuffer, digest: String) {
        let (folder, coordinator, _) = try FederationTests.prepare(sites: [])
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try AnyClassifier.load(coordinator.model)
        let data = ModelPackage.encode(metadata: try model.packageMetadata(), tensors: model.parameters.values())
        return (ByteBuffer(bytes: data), sha256Hex(data))
    }

    /// A `train` message for round 1 on `digest`, its blob announced as `bytes`.
    static func train(digest: String, configuration: JSONValue = .object([:]), bytes: Int) -> Message {
        .train(
            .init(
                round: 1,
                baseDigest: digest,
                configuration: configuration,
                blob: .init(content: .trainable, bytes: bytes)
            )
        )
    }

    static func sendModel(_ sender: MessageSender, _ blob: ByteBuffer, digest: String) async throws {
        try await sender.send(
            .model(.init(digest: digest, blob: .init(content: .baseModel, bytes: blob.readableBytes))),
            blob: blob
        )
    }

    @Test(arguments: [5 << 30, 3 << 29])
    func aBaseModelAnnouncedLargerThanTheLimitEndsTheSiteBeforeAnythingIsAllocated(bytes: Int) async throws {
        let (error, connections) = try await Self.site { reader, sender in
            try await HostileCoordinator.welcome(sender, site: "site-a")
            try await sender.send(
                .model(.init(digest: String(repeating: "a", count: 64), blob: .init(content: .baseModel, bytes: bytes)))
            )
            try await HostileCoordinator.drain(&reader)
        }
        #expect(error.contains("announced as \(bytes) bytes, more than the 1073741824"), "\(error)")
        #expect(error.contains("--max-model-bytes"))
        #expect(connections == 1, "a broken protocol is not retried")
    }

    /// A connection that closes in the middle of the base model (a coordinator restarted,
    /// say) is a lost connection: the site reconnects, within its retries.
    @Test func aConnectionClosedMidBlobIsRetriedNotTakenForAProtocolBreak() async throws {
        let (error, connections) = try await Self.site { _, sender in
            try await HostileCoordinator.welcome(sender, site: "site-a")
            try await sender.send(
                .model(.init(digest: String(repeating: "a", count: 64), blob: .init(content: .baseModel, bytes: 1000)))
            )
            // Then the connection closes, no chunk sent.
        }
        #expect(error.contains("gave up after 4 connection attempts"), "\(error)")
        #expect(connections == 4, "3 reconnections, as the site's --retries allow")
    }

    @Test func aBaseDigestThatIsAPathIsRefusedWithoutReadingIt() async throws {
        let (error, connections) = try await Self.site { reader, sender in
            try await HostileCoordinator.welcome(sender, site: "site-a")
            try await sender.send(Self.train(digest: "../../outside", bytes: 8))
            try await HostileCoordinator.drain(&reader)
        }
        #expect(error.contains("the base model's digest '../../outside' is not a SHA-256"), "\(error)")
        #expect(connections == 1)
    }

    @Test func aSecondBaseModelOnOneConnectionIsRefused() async throws {
        let (blob, digest) = try Self.baseModel()
        let (error, connections) = try await Self.site { reader, sender in
            try await HostileCoordinator.welcome(sender, site: "site-a")
            try await Self.sendModel(sender, blob, digest: digest)
            try await Self.sendModel(sender, blob, digest: digest)
            try await HostileCoordinator.drain(&reader)
        }
        #expect(error.contains("a second base model was sent on one connection"), "\(error)")
        #expect(connections == 1)
    }

    /// Tensors announced larger than the base model they belong to are refused.
    @Test func roundTensorsLargerThanTheirBaseModelAreRefused() async throws {
        let (blob, digest) = try Self.baseModel()
        let (error, _) = try await Self.site { reader, sender in
            try await HostileCoordinator.welcome(sender, site: "site-a")
            try await Self.sendModel(sender, blob, digest: digest)
            try await sender.send(Self.train(digest: digest, bytes: blob.readableBytes + 1))
            try await HostileCoordinator.drain(&reader)
        }
        #expect(error.contains("round 1's tensors was announced as \(blob.readableBytes + 1) bytes"), "\(error)")
    }

    /// An architecture of absurd size in the model's metadata: refused by checked
    /// arithmetic before a model of that size is built.
    @Test(arguments: [[1 << 62], [100_000, 100_000], [Int.max]])
    func anAbsurdArchitectureIsRefusedBeforeAllocating(hidden: [Int]) async throws {
        var architecture = FederationTests.architecture(hidden: [4])
        let tensors = Classifier(architecture: architecture, seed: 1).parameters.values()
        architecture.hidden = hidden
        let data = ModelPackage.encode(
            metadata: try ModelPackage.metadata(architecture: architecture),
            tensors: tensors
        )
        let (error, connections) = try await Self.site { reader, sender in
            try await HostileCoordinator.welcome(sender, site: "site-a")
            try await Self.sendModel(sender, ByteBuffer(bytes: data), digest: sha256Hex(data))
            try await HostileCoordinator.drain(&reader)
        }
        #expect(error.contains("the coordinator broke the protocol") && error.contains("weights"), "\(error)")
        #expect(connections == 1)
    }

    /// Training settings out of range (an overflowing epoch count, a warm-up of 1e308, a
    /// NaN learning rate, a billion epochs) end the site naming the setting.
    @Test(
        arguments: [
            ("epochs", JSONValue.number(4_611_686_018_427_387_904), "epochs must be in 1...10000"),
            ("epochs", .number(1e9), "epochs must be in 1...10000"),
            ("warmup_fraction", .number(1e308), "warmup_fraction must be in 0...1"),
            ("batch_size", .number(0), "batch_size must be in 1...1000000"),
        ]
    )
    func trainingSettingsOutOfRangeEndTheSiteNamingTheSetting(
        key: String,
        value: JSONValue,
        expected: String
    )
        async throws
    {
        let (blob, digest) = try Self.baseModel()
        let model = try ModelPackage.decodeAny(Data(blob.readableBytesView), source: "base")
        let trainable = ByteBuffer(bytes: ModelPackage.encodeTrainable(model.parameters.values(trainableOnly: true)))
        let (error, connections) = try await Self.site { reader, sender in
            try await HostileCoordinator.welcome(sender, site: "site-a")
            try await Self.sendModel(sender, blob, digest: digest)
            try await sender.send(
                Self.train(digest: digest, configuration: .object([key: value]), bytes: trainable.readableBytes),
                blob: trainable
            )
            try await HostileCoordinator.drain(&reader)
        }
        #expect(error.contains("training settings of round 1 are not valid") && error.contains(expected), "\(error)")
        #expect(connections == 1)
    }
}
