import FedSecAgg
import Testing

@Suite struct SecAggSimulationTests {
    func run(
        _ simulation: SecAggSimulation,
        seed: UInt64 = 1
    ) throws -> (SecAggSimulation.Outcome, [String: [UInt32]]) {
        var generator = SplitMix64(seed: seed)
        let updates = SecAggFixtures.updates(for: simulation.configuration, using: &generator)
        return (try simulation.run(updates: updates, using: &generator), updates)
    }

    @Test func fiveSitesOfOriginalSecAggSumExactly() throws {
        let configuration = SecAggFixtures.configuration(sites: 5, neighbours: 4, threshold: 3, length: 1000)

        let (outcome, updates) = try self.run(SecAggSimulation(configuration: configuration))

        #expect(outcome.sum == SecAggFixtures.plainSum(updates, over: configuration.sites, length: 1000))
        #expect(outcome.survivors == configuration.sites)
        #expect(outcome.refusals.isEmpty)
    }

    @Test(arguments: [false, true])
    func aSiteDroppingAfterItsSharesLeavesTheExactSumOfTheOthers(vectorSentButLost: Bool) throws {
        let configuration = SecAggFixtures.configuration(sites: 5, neighbours: 4, threshold: 3, length: 1000)
        var simulation = SecAggSimulation(configuration: configuration)
        if vectorSentButLost {
            simulation.lostMaskedInputs = ["site03"]
        } else {
            simulation.dropouts = ["site03": .maskedInput]
        }

        let (outcome, updates) = try self.run(simulation)

        let others = configuration.sites.filter { $0 != "site03" }
        #expect(outcome.survivors == others)
        #expect(outcome.sum == SecAggFixtures.plainSum(updates, over: others, length: 1000))
    }

    @Test func aSurvivorLeavingBeforeUnmaskStaysInTheSum() throws {
        let configuration = SecAggFixtures.configuration(sites: 5, neighbours: 4, threshold: 3, length: 500)
        var simulation = SecAggSimulation(configuration: configuration)
        simulation.dropouts = ["site02": .unmask]

        let (outcome, updates) = try self.run(simulation)

        #expect(outcome.sum == SecAggFixtures.plainSum(updates, over: configuration.sites, length: 500))
    }

    @Test func theCoordinatorNeverSeesAnUpdateUnmasked() throws {
        let configuration = SecAggFixtures.configuration(sites: 5, neighbours: 4, threshold: 3, length: 10_000)
        var simulation = SecAggSimulation(configuration: configuration)
        simulation.dropouts = ["site05": .maskedInput]
        let seen = VectorLog()
        simulation.observeServerVector = { seen.vectors.append($0) }

        let (outcome, updates) = try self.run(simulation)

        #expect(seen.vectors.count == 4 + 4 + 1)
        for vector in seen.vectors {
            for update in updates.values {
                #expect(vector != update)
                #expect(zip(vector, update).filter { $0 == $1 }.count < 5)
            }
        }
        #expect(outcome.sum == SecAggFixtures.plainSum(updates, over: outcome.survivors, length: 10_000))
    }

    @Test func aTamperedCiphertextMakesItsReceiverGiveUpNamingTheSender() throws {
        let configuration = SecAggFixtures.configuration(sites: 5, neighbours: 4, threshold: 3, length: 200)
        var simulation = SecAggSimulation(configuration: configuration)
        simulation.interceptRouting = { routed in
            routed["site02"]![0].ciphertext[15] ^= 0x80
        }

        let (outcome, updates) = try self.run(simulation)

        #expect(outcome.siteErrors["site02"] == .shareFailedToDecrypt(from: "site01", to: "site02"))
        let others = configuration.sites.filter { $0 != "site02" }
        #expect(outcome.sum == SecAggFixtures.plainSum(updates, over: others, length: 200))
    }

    @Test func secAggPlusWithTwentySitesSumsExactlyAndToleratesTwoDropouts() throws {
        let configuration = SecAggFixtures.configuration(sites: 20, neighbours: 6, threshold: 4, length: 2000)
        var whole = SecAggSimulation(configuration: configuration)
        let (full, updates) = try self.run(whole)
        #expect(full.sum == SecAggFixtures.plainSum(updates, over: configuration.sites, length: 2000))

        whole.dropouts = ["site04": .maskedInput, "site17": .maskedInput]
        let (partial, _) = try self.run(whole)

        let others = configuration.sites.filter { $0 != "site04" && $0 != "site17" }
        #expect(partial.survivors == others)
        #expect(partial.sum == SecAggFixtures.plainSum(updates, over: others, length: 2000))
    }

    @Test func quantisedFloatUpdatesComeBackAsTheirSum() throws {
        let configuration = SecAggFixtures.configuration(sites: 6, neighbours: 4, threshold: 3, length: 300)
        var generator = SplitMix64(seed: 8)
        let floats = configuration.sites.map { _ in (0..<300).map { _ in Float.random(in: -1...1, using: &generator) } }
        var updates: [String: [UInt32]] = [:]
        for (name, update) in zip(configuration.sites, floats) {
            updates[name] = try configuration.quantizer.quantize(update, using: &generator)
        }

        let outcome = try SecAggSimulation(configuration: configuration).run(updates: updates, using: &generator)
        let sum = configuration.quantizer.dequantize(outcome.sum)

        for index in 0..<300 {
            let exact = floats.reduce(0.0) { $0 + Double($1[index]) }
            #expect(abs(Double(sum[index]) - exact) <= 6 * configuration.quantizer.errorBound + 1e-6)
        }
    }

    @Test(arguments: [(5, 4, 3), (20, 6, 4)])
    func measuresMaskingAndUnmaskingAMillionValues(sites: Int, neighbours: Int, threshold: Int) throws {
        let configuration = SecAggFixtures.configuration(
            sites: sites,
            neighbours: neighbours,
            threshold: threshold,
            length: 1_000_000
        )
        var round = try ManualRound(configuration)
        let clock = ContinuousClock()
        let routed = try round.share()
        var maskTimes: [Duration] = []
        for name in configuration.sites.dropLast() {
            let start = clock.now
            let masked = try round.sites[name]!.maskedInput(update: round.updates[name]!, sharesReceived: routed[name]!)
            maskTimes.append(clock.now - start)
            try round.server.receive(masked: masked, from: name)
        }
        let requests = try round.server.unmaskRequests()
        for (name, request) in requests {
            try round.server.receive(unmask: round.sites[name]!.unmask(request: request), from: name)
        }

        let start = clock.now
        let sum = try round.server.result()
        let unmask = clock.now - start

        let survivors = Array(configuration.sites.dropLast())
        #expect(sum == SecAggFixtures.plainSum(round.updates, over: survivors, length: 1_000_000))
        let meanMask = maskTimes.reduce(Duration.zero, +) / maskTimes.count
        print(
            "secagg benchmark: n=\(sites) k=\(neighbours) L=1,000,000 one dropout: "
                + "mask per site \(meanMask), server unmask \(unmask)"
        )
    }
}

/// Collects the vectors the simulation reports (the tests run it synchronously).
final class VectorLog {
    var vectors: [[UInt32]] = []
}
