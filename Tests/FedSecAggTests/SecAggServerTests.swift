import FedSecAgg
import Testing

@Suite struct SecAggServerTests {
    let configuration = SecAggFixtures.configuration(sites: 5, neighbours: 4, threshold: 3)

    @Test func refusesAndRecordsKeysFromASiteNotInTheRound() throws {
        var round = try ManualRound(self.configuration)
        var generator = SplitMix64(seed: 1)
        var outsider = try SecAggSite(name: "site01", configuration: self.configuration, using: &generator)

        #expect(throws: SecAggError.unknownSite(site: "intruder", stage: .advertiseKeys)) {
            try round.server.receive(keys: outsider.advertiseKeys(), from: "intruder")
        }
        #expect(round.server.refusals.map(\.site) == ["intruder"])
    }

    @Test func refusesAndRecordsMaskedVectorsFromOutsidersDuplicatesAndWrongLengths() throws {
        var round = try ManualRound(self.configuration)
        let routed = try round.share()
        let masked = try round.sites["site01"]!.maskedInput(
            update: round.updates["site01"]!,
            sharesReceived: routed["site01"]!
        )
        try round.server.receive(masked: masked, from: "site01")
        var short = masked
        short.vector.removeLast()

        #expect(throws: SecAggError.unknownSite(site: "intruder", stage: .maskedInput)) {
            try round.server.receive(masked: masked, from: "intruder")
        }
        #expect(throws: SecAggError.duplicateMessage(site: "site01", stage: .maskedInput)) {
            try round.server.receive(masked: masked, from: "site01")
        }
        #expect(throws: SecAggError.wrongVectorLength(site: "site02", length: 63, expected: 64)) {
            try round.server.receive(masked: short, from: "site02")
        }
        #expect(round.server.refusals.map(\.site) == ["intruder", "site01", "site02"])
    }

    @Test func refusesAVectorMaskedWithOtherNeighboursThanRouted() throws {
        var round = try ManualRound(self.configuration)
        let routed = try round.share()
        var masked = try round.sites["site03"]!.maskedInput(
            update: round.updates["site03"]!,
            sharesReceived: routed["site03"]!
        )

        masked.maskedWith.removeFirst()

        #expect(throws: SecAggError.self) { try round.server.receive(masked: masked, from: "site03") }
        #expect(round.server.refusals.first?.site == "site03")
    }

    @Test func refusesMessagesOfADroppedSiteAndStagesOutOfOrder() throws {
        var round = try ManualRound(self.configuration)
        let keys = round.sites["site02"]!.advertiseKeys()
        round.server.dropped("site02")

        #expect(throws: SecAggError.droppedSite(site: "site02", stage: .advertiseKeys)) {
            try round.server.receive(keys: keys, from: "site02")
        }
        #expect(throws: SecAggError.stageClosed(requested: .maskedInput, current: .advertiseKeys)) {
            try round.server.unmaskRequests()
        }
    }

    @Test func neverAsksOneSiteForBothSharesOfAnother() throws {
        let configuration = SecAggFixtures.configuration(sites: 20, neighbours: 6, threshold: 4)
        var round = try ManualRound(configuration)

        let requests = try round.mask(silent: ["site03", "site11"])

        for (site, request) in requests {
            #expect(Set(request.survivors).isDisjoint(with: request.dropped), "request to \(site)")
            #expect(!request.survivors.contains("site03") && !request.survivors.contains("site11"))
        }
        #expect(requests["site03"] == nil)
    }

    @Test func aShareThatDecryptsButIsWrongIsLeftOutAndItsSenderRecorded() throws {
        var round = try ManualRound(self.configuration)
        let requests = try round.mask()
        for name in self.configuration.sites {
            var response = try round.sites[name]!.unmask(request: requests[name]!)
            if name == "site04" {
                response.selfMaskShares[0].share.values[2] = MersenneField.add(
                    response.selfMaskShares[0].share.values[2],
                    1
                )
            }
            try round.server.receive(unmask: response, from: name)
        }

        let sum = try round.server.result()

        #expect(sum == SecAggFixtures.plainSum(round.updates, over: self.configuration.sites, length: 64))
        let refusal = try #require(round.server.refusals.first)
        #expect(refusal.site == "site04")
        #expect(refusal.reason == .badShares(owner: "site01", senders: ["site04"], secret: "self-mask seed"))
        #expect(refusal.description.contains("site04"))
    }

    @Test func fewerThanThresholdSurvivorsIsAClearError() throws {
        var round = try ManualRound(self.configuration)

        #expect(throws: SecAggError.roundAbandoned(stage: .unmask, sites: 2, threshold: 3)) {
            try round.mask(silent: ["site01", "site02", "site03"])
        }
        #expect(round.server.stage == .finished)
    }

    @Test func tooFewShareHoldersAnsweringIsAClearError() throws {
        var round = try ManualRound(self.configuration)
        let requests = try round.mask()
        for name in ["site01", "site02"] {
            try round.server.receive(unmask: round.sites[name]!.unmask(request: requests[name]!), from: name)
        }

        #expect(throws: SecAggError.tooFewSurvivors(site: "site01", stage: .unmask, available: 2, threshold: 3)) {
            try round.server.result()
        }
    }

    @Test func refusesAResponseThatDoesNotAnswerItsRequest() throws {
        var round = try ManualRound(self.configuration)
        let requests = try round.mask(silent: ["site05"])
        var response = try round.sites["site01"]!.unmask(request: requests["site01"]!)

        response.maskKeyShares = []

        #expect(throws: SecAggError.self) { try round.server.receive(unmask: response, from: "site01") }
        #expect(throws: SecAggError.notAsked(site: "site05")) {
            try round.server.receive(unmask: response, from: "site05")
        }
    }

    @Test func leavesOutASiteWithTooFewAdvertisingNeighboursAndRefusesItsLaterMessages() throws {
        let configuration = SecAggFixtures.configuration(sites: 20, neighbours: 6, threshold: 4)
        var round = try ManualRound(configuration)
        let silent = Set(configuration.graph.neighbours[0].prefix(4).map { configuration.sites[$0] })
        for name in configuration.sites where !silent.contains(name) {
            try round.server.receive(keys: round.sites[name]!.advertiseKeys(), from: name)
        }

        let forwarded = try round.server.neighbourKeys()

        #expect(forwarded["site01"] == nil)
        #expect(
            round.server.refusals.first
                == SecAggRefusal(
                    site: "site01",
                    stage: .advertiseKeys,
                    reason: .tooFewSurvivors(site: "site01", stage: .advertiseKeys, available: 3, threshold: 4)
                )
        )
        #expect(throws: SecAggError.droppedSite(site: "site01", stage: .shareKeys)) {
            try round.server.receive(shares: [], from: "site01")
        }
    }

    @Test func aWrongMaskKeyShareOfADroppedSiteIsLeftOutAndItsSenderRecorded() throws {
        var round = try ManualRound(self.configuration)
        let requests = try round.mask(silent: ["site05"])
        for name in self.configuration.sites.dropLast() {
            var response = try round.sites[name]!.unmask(request: requests[name]!)
            if name == "site02" {
                response.maskKeyShares[0].share.values[0] = MersenneField.add(
                    response.maskKeyShares[0].share.values[0],
                    99
                )
            }
            try round.server.receive(unmask: response, from: name)
        }

        let sum = try round.server.result()

        let survivors = Array(self.configuration.sites.dropLast())
        #expect(sum == SecAggFixtures.plainSum(round.updates, over: survivors, length: 64))
        #expect(
            round.server.refusals
                == [
                    SecAggRefusal(
                        site: "site02",
                        stage: .unmask,
                        reason: .badShares(owner: "site05", senders: ["site02"], secret: "mask private key")
                    )
                ]
        )
    }
}
