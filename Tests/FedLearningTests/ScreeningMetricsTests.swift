import Testing

@testable import FedLearning

struct ScreeningMetricsTests {
    // Three classes, positive class 1 against 0 and 2 together. Ties: 0.91 and 0.55 are
    // held by a positive and a negative, 0.40 by one positive and two negatives.
    static let truth = [1, 0, 2, 1, 1, 0, 2, 0, 1, 2, 0, 1, 0, 0, 1]
    static let probabilities = [
        0.91, 0.12, 0.40, 0.55, 0.40, 0.40, 0.05, 0.73, 0.33, 0.91, 0.08, 0.62, 0.55, 0.21, 0.97,
    ]
    static let predicted = [1, 0, 1, 1, 0, 2, 2, 1, 0, 1, 0, 1, 1, 0, 1]

    @Test func countsAndRatesMatchHandComputedValues() {
        let metrics = ScreeningMetrics(
            truth: Self.truth,
            positiveClass: 1,
            positiveProbabilities: Self.probabilities,
            predicted: Self.predicted
        )

        // Positives at 0, 3, 4, 8, 11, 14: predicted 1, 1, 0, 0, 1, 1.
        #expect(metrics.truePositives == 4)
        #expect(metrics.falseNegatives == 2)
        // Negatives at 1, 2, 5, 6, 7, 9, 10, 12, 13: predicted 0, 1, 2, 2, 1, 1, 0, 1, 0.
        #expect(metrics.trueNegatives == 5)
        #expect(metrics.falsePositives == 4)
        #expect(metrics.positives == 6 && metrics.negatives == 9)
        #expect(metrics.sensitivity == 4.0 / 6)
        #expect(metrics.specificity == 5.0 / 9)
        #expect(metrics.precision == 0.5)
    }

    @Test func sensitivityIsThePositiveClassRecallOfTheConfusionMatrix() {
        let screening = ScreeningMetrics(
            truth: Self.truth,
            positiveClass: 1,
            positiveProbabilities: Self.probabilities,
            predicted: Self.predicted
        )
        let classes = ClassificationMetrics(classNames: ["a", "b", "c"], truth: Self.truth, predicted: Self.predicted)

        #expect(screening.sensitivity == classes.perClass[1].recall)
        #expect(screening.precision == classes.perClass[1].precision)
    }

    @Test func withoutPredictionsAProbabilityAboveOneHalfIsAPositiveCall() {
        let metrics = ScreeningMetrics(truth: Self.truth, positiveClass: 1, positiveProbabilities: Self.probabilities)

        // Above 0.5: positives 0.91, 0.55, 0.62, 0.97; negatives 0.73, 0.91, 0.55.
        #expect(
            [metrics.truePositives, metrics.falseNegatives, metrics.trueNegatives, metrics.falsePositives] == [
                4, 2, 6, 3,
            ]
        )
    }

    @Test func rocAUCCountsTiesHalf() {
        // Per positive, negatives below it plus half the tied ones:
        // 0.97: 9, 0.91: 8 + ½, 0.62: 7, 0.55: 6 + ½, 0.40: 4 + 2·½, 0.33: 4 → 40 of 6·9.
        let metrics = ScreeningMetrics(truth: Self.truth, positiveClass: 1, positiveProbabilities: Self.probabilities)

        #expect(abs(metrics.rocAUC - 40.0 / 54) < 1e-15)
        // The same pairs counted one by one in Python: 0.7407407407407407.
        #expect(abs(metrics.rocAUC - 0.7407407407407407) < 1e-15)
    }

    @Test func rocAUCMatchesPairCountingOnManyTies() {
        // 60 examples with scores in tenths (many ties); the Python one-off counting all
        // 24 × 36 pairs gave U = 421, AUC 0.48726851851851855.
        let positives = (0..<60).map { ($0 * 7) % 5 < 2 }
        let scores = (0..<60).map { Double(($0 * 13) % 11) / 10 }

        let auc = ScreeningMetrics.rocAUC(positives: positives, scores: scores)

        #expect(abs(auc - 0.48726851851851855) < 1e-15)
        #expect(abs(auc - 421.0 / (24 * 36)) < 1e-15)
    }

    @Test func rocAUCIsOneForAPerfectRankingZeroReversedAndOneHalfForAllTied() {
        let positives = [false, false, true, true, true]

        #expect(ScreeningMetrics.rocAUC(positives: positives, scores: [0.1, 0.2, 0.3, 0.8, 0.9]) == 1)
        #expect(ScreeningMetrics.rocAUC(positives: positives, scores: [0.9, 0.8, 0.3, 0.2, 0.1]) == 0)
        #expect(ScreeningMetrics.rocAUC(positives: positives, scores: [0.5, 0.5, 0.5, 0.5, 0.5]) == 0.5)
    }

    @Test func undefinedRatiosAreZeroAndAnUndefinedAUCIsNaN() {
        let noPositives = ScreeningMetrics(truth: [0, 0, 2], positiveClass: 1, positiveProbabilities: [0.2, 0.7, 0.1])
        let nanScore = ScreeningMetrics.rocAUC(positives: [true, false], scores: [.nan, 0.3])

        #expect(noPositives.sensitivity == 0)
        #expect(noPositives.specificity == 2.0 / 3)
        #expect(noPositives.precision == 0)
        #expect(noPositives.rocAUC.isNaN)
        #expect(nanScore.isNaN)
    }
}
