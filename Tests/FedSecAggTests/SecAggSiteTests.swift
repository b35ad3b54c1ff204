import FedSecAgg
import Testing

@Suite struct SecAggSiteTests {
    let configuration = SecAggFixtures.configuration(sites: 5, neighbours: 4, threshold: 3)

    @Test func refusesARequestForBothSharesOfOneSite() throws {
        var round = try ManualRound(self.configuration)
        let requests = try round.mask(silent: ["site05"])
        var request = requests["site01"]!
        #expect(request.dropped == ["site05"])

        request.survivors.append("site05")

        #expect(throws: SecAggError.bothSharesRequested(site: "site05", requester: "site01")) {
            try round.sites["site01"]!.unmask(request: request)
        }
    }

    @Test func answersOnlyOneUnmaskRequest() throws {
        var round = try ManualRound(self.configuration)
        let requests = try round.mask(silent: ["site05"])
        _ = try round.sites["site02"]!.unmask(request: requests["site02"]!)
        let flipped = UnmaskRequest(round: 7, survivors: ["site02", "site05"], dropped: [])

        #expect(throws: SecAggError.outOfStage(site: "site02", stage: .unmask, current: .finished)) {
            try round.sites["site02"]!.unmask(request: flipped)
        }
    }

    @Test func refusesToBeToldItDropped() throws {
        var round = try ManualRound(self.configuration)
        let requests = try round.mask()
        let request = UnmaskRequest(round: 7, survivors: [], dropped: requests["site03"]!.survivors)

        #expect(throws: SecAggError.unexpectedShare(site: "site03", about: "site03")) {
            try round.sites["site03"]!.unmask(request: request)
        }
    }

    @Test func refusesATamperedCiphertextNamingItsSender() throws {
        var round = try ManualRound(self.configuration)
        var routed = try round.share()
        let index = routed["site02"]!.firstIndex { $0.sender == "site04" }!

        routed["site02"]![index].ciphertext[30] ^= 0x01

        #expect(throws: SecAggError.shareFailedToDecrypt(from: "site04", to: "site02")) {
            try round.sites["site02"]!.maskedInput(update: round.updates["site02"]!, sharesReceived: routed["site02"]!)
        }
    }

    @Test func refusesCiphertextsMeantForAnotherSite() throws {
        var round = try ManualRound(self.configuration)
        let routed = try round.share()

        #expect(throws: SecAggError.notANeighbour(site: "site02", other: "site01", stage: .maskedInput)) {
            try round.sites["site02"]!.maskedInput(update: round.updates["site02"]!, sharesReceived: routed["site03"]!)
        }
    }

    @Test func refusesKeysOfANonNeighbour() throws {
        let configuration = SecAggFixtures.configuration(sites: 20, neighbours: 6, threshold: 4)
        var round = try ManualRound(configuration)
        var forwarded = try round.advertise()
        let stranger = configuration.sites.first {
            $0 != "site01" && !configuration.graph.areNeighbours(0, configuration.sites.firstIndex(of: $0)!)
        }!
        let keys = forwarded[stranger]!.neighbours[0].keys

        forwarded["site01"]!.neighbours.append(SiteKeys(site: stranger, keys: keys))

        #expect(throws: SecAggError.notANeighbour(site: "site01", other: stranger, stage: .shareKeys)) {
            try round.sites["site01"]!.shareKeys(neighbours: forwarded["site01"]!, using: &round.generator)
        }
    }

    @Test func refusesStagesOutOfOrderAndOtherRounds() throws {
        var generator = SplitMix64(seed: 1)
        var site = try SecAggSite(name: "site01", configuration: self.configuration, using: &generator)

        #expect(throws: SecAggError.outOfStage(site: "site01", stage: .maskedInput, current: .advertiseKeys)) {
            try site.maskedInput(update: [UInt32](repeating: 0, count: 64), sharesReceived: [])
        }
        _ = site.advertiseKeys()
        #expect(throws: SecAggError.wrongRound(site: "site01", stage: .shareKeys, round: 6, expected: 7)) {
            try site.shareKeys(neighbours: NeighbourKeys(round: 6, neighbours: []), using: &generator)
        }
    }

    @Test func refusesAnUpdateOfTheWrongLength() throws {
        var round = try ManualRound(self.configuration)
        let routed = try round.share()

        #expect(throws: SecAggError.wrongUpdateLength(site: "site01", length: 3, expected: 64)) {
            try round.sites["site01"]!.maskedInput(update: [1, 2, 3], sharesReceived: routed["site01"]!)
        }
    }
}
