import FedSecAgg
import Foundation
import Testing

@Suite struct SecAggConfigurationTests {
    @Test(arguments: [(5, 4, 3), (5, 4, 4), (20, 6, 4), (20, 6, 6), (4, 3, 3), (3, 2, 2)])
    func acceptsMajorityThresholds(sites: Int, neighbours: Int, threshold: Int) throws {
        try SecAggFixtures.configuration(sites: sites, neighbours: neighbours, threshold: threshold).validate()
    }

    @Test(arguments: [
        (2, 1, 1),  // too few sites
        (5, 4, 2),  // t ≤ (k + 1)/2: not a majority of the 5 holders
        (5, 4, 5),  // t > k: no holder may drop out
        (20, 5, 4),  // odd k below n − 1
        (20, 20, 11),  // k > n − 1
        (4, 3, 2),  // 2 of 4 holders is not a strict majority
    ])
    func refusesBrokenRules(sites: Int, neighbours: Int, threshold: Int) {
        #expect(throws: SecAggError.self) {
            try SecAggFixtures.configuration(sites: sites, neighbours: neighbours, threshold: threshold).validate()
        }
    }

    @Test func refusesDuplicateNamesAndTooSmallAQuantiser() {
        var duplicate = SecAggFixtures.configuration(sites: 5, neighbours: 4, threshold: 3)
        duplicate.sites[1] = duplicate.sites[0]
        var quantiser = SecAggFixtures.configuration(sites: 5, neighbours: 4, threshold: 3)
        quantiser.quantizer.maxSummands = 4

        #expect(throws: SecAggError.self) { try duplicate.validate() }
        #expect(throws: SecAggError.self) { try quantiser.validate() }
    }

    @Test func roundTripsThroughJSON() throws {
        let configuration = SecAggFixtures.configuration(sites: 20, neighbours: 6, threshold: 4)

        let decoded = try JSONDecoder().decode(
            SecAggConfiguration.self,
            from: JSONEncoder().encode(configuration)
        )

        #expect(decoded == configuration)
        #expect(decoded.graph == configuration.graph)
    }
}
