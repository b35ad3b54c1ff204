import Testing

@testable import FedReport

@Suite struct ChartScaleTests {
    @Test(arguments: [
        (0.013, 0.02), (0.3, 0.5), (0.7, 1.0), (1.0, 1.0), (2.2, 2.5), (3.0, 5.0), (7.0, 10.0), (130.0, 200.0),
    ])
    func stepsFollowTheOneTwoFiveRule(rough: Double, nice: Double) {
        #expect(abs(ChartScale.niceStep(for: rough) - nice) < 1e-12)
    }

    @Test func accuracyTicksAreRoundAndCoverTheData() {
        let scale = ChartScale(covering: [0.7137, 0.8623], tickCount: 6, range: (300, 0))

        #expect(scale.ticks == [0.7, 0.75, 0.8, 0.85, 0.9])
        #expect(scale.label(0.7) == "0.70")
        #expect(scale.position(0.7) == 300)
        #expect(scale.position(0.9) == 0)
    }

    @Test func roundTicksAreWhole() {
        let scale = ChartScale(covering: [1, 50], tickCount: 8, range: (0, 100), integral: true)

        #expect(scale.ticks == [0, 10, 20, 30, 40, 50])
        #expect(scale.label(10) == "10")
    }

    @Test func oneRoundSitsInsideAPaddedDomain() {
        let scale = ChartScale(covering: [1], tickCount: 8, range: (0, 100), integral: true)

        #expect(scale.ticks == [0, 1, 2])
        #expect(scale.position(1) == 50)
    }

    @Test func clampKeepsAccuraciesWithinZeroAndOne() {
        let scale = ChartScale(covering: [0, 0.97], tickCount: 6, range: (0, 100), clamp: 0...1)

        #expect(scale.lower == 0)
        #expect(scale.upper == 1)
    }

    @Test func noFiniteValueGivesTheUnitDomain() {
        let scale = ChartScale(covering: [.nan, .infinity], range: (0, 100))

        #expect(scale.lower == 0)
        #expect(scale.upper == 1)
        #expect(scale.position(.nan) == 0)
    }

    @Test func quarterStepsGetTwoDecimals() {
        let scale = ChartScale(covering: [0, 1], tickCount: 5, range: (0, 1))

        #expect(scale.step == 0.25)
        #expect(scale.ticks.map(scale.label) == ["0.00", "0.25", "0.50", "0.75", "1.00"])
    }
}
