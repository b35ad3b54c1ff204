import FedSecAgg
import Foundation
import Testing

@Suite struct SecAggMessagesTests {
    func roundTrip<T: Codable & Equatable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    @Test func everyStageMessageRoundTripsThroughJSON() throws {
        var round = try ManualRound(SecAggFixtures.configuration(sites: 5, neighbours: 4, threshold: 3, length: 8))
        var first = try ManualRound(round.configuration)
        let keys = first.sites["site01"]!.advertiseKeys()
        let forwarded = try first.advertise()
        let requests = try round.mask(silent: ["site04"])
        let response = try round.sites["site01"]!.unmask(request: requests["site01"]!)
        let masked = MaskedInput(round: 7, maskedWith: ["site02"], vector: [0, 1, .max])

        #expect(try self.roundTrip(keys) == keys)
        #expect(try self.roundTrip(forwarded["site02"]!) == forwarded["site02"]!)
        #expect(try self.roundTrip(masked) == masked)
        #expect(try self.roundTrip(requests["site01"]!) == requests["site01"]!)
        #expect(try self.roundTrip(response) == response)
        #expect(response.maskKeyShares.map(\.site) == ["site04"])
    }

    @Test func refusalsReadAsTheirReason() {
        let refusal = SecAggRefusal(
            site: "north",
            stage: .maskedInput,
            reason: .unknownSite(site: "north", stage: .maskedInput)
        )

        #expect(refusal.description == refusal.reason.description)
    }
}
