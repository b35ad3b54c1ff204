import FedSecAgg
import FedTensor
import OrderedCollections
import Testing

@testable import FedRounds

/// Secure aggregation through the federation core, with virtual sites that run the real
/// protocol (`SecAggSite`): the global model moves by the mean of the quantised updates,
/// exactly, whoever drops out, and the core never holds an update unmasked.
struct SecureAggregationCoreTests {
    static let sites = ["s0", "s1", "s2", "s3", "s4"]

    static func settings(rounds: Int = 1, privacy: DifferentialPrivacy? = nil) -> FederationCore.Settings {
        var settings = FederationCoreTests.settings(rounds: rounds, minSites: 5, quorum: 3)
        settings.clipNorm = 2
        settings.secureAggregation = SecureAggregationSettings()
        if let privacy {
            settings.privacy = privacy
            settings.privacyKey = [UInt8](repeating: 3, count: 32)
        }
        return settings
    }

    /// A shell whose sites take part in secure aggregation; `leaveBeforeMasking` sites
    /// disconnect when their shares arrive, `leaveAfterMasking` ones right after sending
    /// their masked update.
    struct SecureShell {
        var core: FederationCore
        var leaveBeforeMasking: Set<String> = []
        var leaveAfterMasking: Set<String> = []
        /// This site's unmasking shares are tampered with (every value of its first share + 1).
        var corruptShares: String?
        /// Sent to the core when round 2 starts, as from a site outside the round.
        var intrusions: [FederationCore.Event] = []
        var sites: [String: SecAggSite] = [:]
        var quantised: [String: [UInt32]] = [:]
        /// Every masked vector the core was given.
        var seenByCoordinator: [[UInt32]] = []
        var records: [RoundRecord] = []
        var rejected: [(site: String, reason: String)] = []
        var stopped: String?
        var generator = SeededGenerator(seed: 11)

        mutating func send(_ event: FederationCore.Event) {
            var pending = self.core.handle(event, now: 0)
            while !pending.isEmpty {
                switch pending.removeFirst() {
                case .train(let round, let site, _, _):
                    if round == 2, !self.intrusions.isEmpty {
                        for event in self.intrusions { pending += self.core.handle(event, now: 0) }
                        self.intrusions = []
                    }
                    guard let setup = self.core.secureSetup(round: round) else { continue }
                    var site = (try? SecAggSite(name: site, configuration: setup.configuration, using: &self.generator))!
                    let keys = site.advertiseKeys()
                    self.sites[site.name] = site
                    pending += self.core.handle(.secureKeys(site: site.name, round: round, keys), now: 0)
                case .secure(let name, let round, .neighbours(let keys)):
                    let shares = try! self.sites[name]!.shareKeys(neighbours: keys, using: &self.generator)
                    pending += self.core.handle(.secureShares(site: name, round: round, shares), now: 0)
                case .secure(let name, let round, .routed(let shares)):
                    if self.leaveBeforeMasking.contains(name) {
                        pending += self.core.handle(.siteLeft(name), now: 0)
                        continue
                    }
                    let setup = self.core.secureSetup(round: round)!
                    let update = FederationCoreTests.update(name, round: round).tensors
                    let vector = try! SecureVector.quantize(update, spec: self.core.spec, setup: setup, using: &self.generator)
                    self.quantised[name] = vector
                    let masked = try! self.sites[name]!.maskedInput(update: vector, sharesReceived: shares)
                    self.seenByCoordinator.append(masked.vector)
                    let report = MaskedUpdate(examples: 10, metrics: ["loss": 1], masked: masked, bytes: 4 * vector.count)
                    pending += self.core.handle(.maskedUpdateReceived(site: name, round: round, report), now: 0)
                    if self.leaveAfterMasking.contains(name) {
                        pending += self.core.handle(.siteLeft(name), now: 0)
                    }
                case .secure(let name, let round, .unmask(let request)):
                    var response = try! self.sites[name]!.unmask(request: request)
                    if name == self.corruptShares, var first = response.selfMaskShares.first {
                        first.share.values = first.share.values.map { $0 + 1 }
                        response.selfMaskShares[0] = first
                    }
                    pending += self.core.handle(.secureUnmasked(site: name, round: round, response), now: 0)
                case .writeCheckpoint(let round, _, let record):
                    self.records.append(record)
                    pending += self.core.handle(.checkpointWritten(round: round), now: 0)
                case .rejectUpdate(let site, _, let reason): self.rejected.append((site, reason))
                case .stop(let reason): self.stopped = reason
                default: continue
                }
            }
        }

        mutating func join(_ names: [String]) {
            for name in names { self.send(.siteJoined(name, holdsBase: true)) }
        }

        /// The plain sum of the quantised updates of `names`, dequantised.
        func plainSum(_ names: [String]) -> [Float] {
            var sum = [UInt32](repeating: 0, count: self.quantised.values.first!.count)
            for name in names {
                for (index, value) in self.quantised[name]!.enumerated() { sum[index] &+= value }
            }
            return self.sites.values.first!.configuration.quantizer.dequantize(sum)
        }
    }

    /// The global model after one round, flattened in name order as secure aggregation sums it.
    static func flat(_ global: OrderedDictionary<String, Tensor>) -> [Float] {
        global.keys.sorted().flatMap { global[$0]!.scalars }
    }

    @Test func theGlobalModelMovesByTheMeanOfTheQuantisedUpdatesExactly() throws {
        var shell = SecureShell(core: FederationCore(settings: Self.settings(), global: FederationCoreTests.start))
        shell.join(Self.sites)
        let record = try #require(shell.records.first)
        #expect(record.sites == Self.sites && record.examples == 50)
        #expect(record.clipScales.isEmpty, "the coordinator cannot know a site's clip factor")
        let mean = shell.plainSum(Self.sites).map { $0 / 5 }
        #expect(Self.flat(shell.core.global) == mean.map { Float(Double($0)) })
        // The mean of the plain updates (0.1 … 0.5, norms under C = 1) within quantisation error.
        #expect(Self.flat(shell.core.global).allSatisfy { abs($0 - 0.3) < 1e-6 })
    }

    @Test func noUpdateIsEverVisibleUnmaskedToTheCoordinator() throws {
        var shell = SecureShell(core: FederationCore(settings: Self.settings(rounds: 2), global: FederationCoreTests.start))
        shell.join(Self.sites)
        #expect(shell.records.count == 2 && shell.seenByCoordinator.count == 10)
        for vector in shell.seenByCoordinator {
            for plain in shell.quantised.values {
                let equal = zip(vector, plain).filter { $0 == $1 }.count
                #expect(equal <= 1, "a masked vector shares \(equal) of \(plain.count) values with an update")
            }
        }
    }

    @Test func aSiteThatLeavesAfterMaskingIsStillInTheSum() throws {
        var shell = SecureShell(core: FederationCore(settings: Self.settings(), global: FederationCoreTests.start))
        shell.leaveAfterMasking = ["s2"]
        shell.join(Self.sites)
        let record = try #require(shell.records.first)
        #expect(record.sites == Self.sites)
        #expect(Self.flat(shell.core.global) == shell.plainSum(Self.sites).map { $0 / 5 })
    }

    @Test func aSiteThatLeavesAfterSharingIsUnmaskedOutOfTheSum() throws {
        var shell = SecureShell(core: FederationCore(settings: Self.settings(), global: FederationCoreTests.start))
        shell.leaveBeforeMasking = ["s3"]
        shell.join(Self.sites)
        let record = try #require(shell.records.first, "\(shell.rejected) \(String(describing: shell.stopped))")
        let survivors = ["s0", "s1", "s2", "s4"]
        #expect(record.sites == survivors && record.failures["s3"] == "disconnected")
        #expect(Self.flat(shell.core.global) == shell.plainSum(survivors).map { $0 / 4 })
    }

    @Test func keysOrAMaskFromASiteOutsideTheRoundAreRefusedAndRecorded() throws {
        var shell = SecureShell(core: FederationCore(settings: Self.settings(rounds: 2), global: FederationCoreTests.start))
        let keys = KeyAdvertisement(round: 2, cipherPublicKey: [], maskPublicKey: [], selfMaskCommitment: [])
        let masked = MaskedInput(round: 2, maskedWith: [], vector: [1, 2, 3])
        shell.intrusions = [
            .secureKeys(site: "intruder", round: 2, keys),
            .maskedUpdateReceived(
                site: "intruder", round: 2, MaskedUpdate(examples: 1, metrics: [:], masked: masked, bytes: 12)),
        ]
        shell.join(Self.sites)
        #expect(shell.rejected.filter { $0.site == "intruder" }.count == 2)
        #expect(shell.records.map(\.round) == [1, 2] && shell.records[1].sites == Self.sites)
        let refused = try #require(shell.records[1].refused)
        #expect(refused.map(\.site) == ["intruder", "intruder"])
        #expect(refused[0].reason.contains("no secure round 2 is open for 'intruder'"), "\(refused)")
        #expect(refused[1].reason.contains("site 'intruder' was not selected for round 2"), "\(refused)")
    }

    @Test func aWrongShareIsLeftOutAndItsSenderRecorded() throws {
        var shell = SecureShell(core: FederationCore(settings: Self.settings(), global: FederationCoreTests.start))
        shell.corruptShares = "s1"
        shell.join(Self.sites)
        let record = try #require(shell.records.first)
        #expect(record.sites == Self.sites)
        #expect(Self.flat(shell.core.global) == shell.plainSum(Self.sites).map { $0 / 5 })
        let refused = try #require(record.refused)
        #expect(refused.contains { $0.site == "s1" && $0.reason.contains("wrong") }, "\(refused)")
    }

    @Test func underPrivacyTheNoiseIsAddedToTheUnmaskedSum() throws {
        let plan = DifferentialPrivacy(noiseMultiplier: 1, clipNorm: 1, delta: 1e-5, sampling: .poisson(rate: 1), population: 5)
        var shell = SecureShell(core: FederationCore(settings: Self.settings(privacy: plan), global: FederationCoreTests.start))
        shell.join(Self.sites)
        let privacy = try #require(shell.records.first?.privacy)
        #expect(privacy.secureAggregation == true && privacy.noiseStddev == 1)
        let sum = shell.plainSum(Self.sites)
        var offset = 0
        for name in FederationCoreTests.start.keys.sorted() {
            let count = FederationCoreTests.start[name]!.count
            let noise = GaussianNoise.sample(count: count, standardDeviation: 1, key: [UInt8](repeating: 3, count: 32),
                purpose: "update:" + name, round: 1)
            for i in 0..<count {
                #expect(abs(shell.core.global[name]!.scalars[i] - (sum[offset + i] + noise[i]) / 5) < 1e-6)
            }
            offset += count
        }
    }
}
