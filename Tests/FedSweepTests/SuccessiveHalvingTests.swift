import FedSweep
import Testing

@Suite struct SuccessiveHalvingTests {
    @Test func rungsGrowByTheReductionFactorBelowTheScenariosRounds() {
        #expect(SuccessiveHalving(maximumRounds: 10, reductionFactor: 3).rungs == [1, 3, 9])
        #expect(SuccessiveHalving(maximumRounds: 30, reductionFactor: 3).rungs == [3, 9, 27])
        #expect(SuccessiveHalving(maximumRounds: 30, reductionFactor: 2, minimumRounds: 4).rungs == [4, 8, 16])
        #expect(SuccessiveHalving(maximumRounds: 9, reductionFactor: 3, minimumRounds: 3).rungs == [3])
        #expect(SuccessiveHalving(maximumRounds: 1, reductionFactor: 3).rungs == [])
    }

    @Test func theFirstTrialsAtARungGoOnOnlyWhenBestSoFar() {
        // Fewer than η scores: only the best goes on.
        #expect(SuccessiveHalving.promotes(0.5, among: [0.5], reductionFactor: 3))
        #expect(SuccessiveHalving.promotes(0.7, among: [0.5, 0.7], reductionFactor: 3))
        #expect(!SuccessiveHalving.promotes(0.4, among: [0.5, 0.4], reductionFactor: 3))
    }

    @Test func theTopOneOverEtaOfARungGoesOn() {
        // Six scores, η = 3: the top ⌊6/3⌋ = 2 go on.
        let scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
        #expect(SuccessiveHalving.promotes(0.9, among: scores, reductionFactor: 3))
        #expect(SuccessiveHalving.promotes(0.8, among: scores, reductionFactor: 3))
        #expect(!SuccessiveHalving.promotes(0.7, among: scores, reductionFactor: 3))
        // Nine scores, η = 2: the top 4.
        let nine = (1...9).map { Double($0) / 10 }
        #expect(
            nine.filter { SuccessiveHalving.promotes($0, among: nine, reductionFactor: 2) } == [0.6, 0.7, 0.8, 0.9]
        )
        // A score that is not a number never goes on past a real one.
        #expect(!SuccessiveHalving.promotes(.nan, among: [.nan, 0.1, 0.2, 0.3], reductionFactor: 2))
    }
}
