import FedSecAgg
import Testing

@Suite struct SecAggErrorTests {
    @Test(arguments: [
        SecAggError.unknownSite(site: "north", stage: .maskedInput),
        .outOfStage(site: "north", stage: .unmask, current: .shareKeys),
        .shareFailedToDecrypt(from: "north", to: "south"),
        .wrongVectorLength(site: "north", length: 3, expected: 4),
        .bothSharesRequested(site: "north", requester: "south"),
        .badShares(owner: "south", senders: ["north"], secret: "self-mask seed"),
        .tooFewSurvivors(site: "north", stage: .unmask, available: 2, threshold: 3),
        .malformedShares(site: "north", stage: .shareKeys, detail: "no ciphertext for [\"south\"]"),
    ])
    func everyRefusalNamesTheSiteAndTheStage(error: SecAggError) {
        #expect(error.description.contains("'north'") || error.description.contains("[\"north\"]"))
        #expect(error.description.contains("stage "))
    }

    @Test func stagesReadAsTheirNumberAndName() {
        #expect(SecAggStage.shareKeys.description == "stage 2 (share keys)")
        #expect(SecAggStage.advertiseKeys < .unmask)
    }
}
