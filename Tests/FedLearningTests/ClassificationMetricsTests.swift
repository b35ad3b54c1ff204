import Foundation
import Testing

@testable import FedLearning

struct ClassificationMetricsTests {
    @Test func scoresMatchHandComputedValues() {
        // truth:     a a a b b c
        // predicted: a a b b c c
        let metrics = ClassificationMetrics(
            classNames: ["a", "b", "c"],
            truth: [0, 0, 0, 1, 1, 2],
            predicted: [0, 0, 1, 1, 2, 2]
        )

        let scores = metrics.perClass

        #expect(metrics.confusion == [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
        #expect(metrics.accuracy == 4.0 / 6)
        #expect(scores.map(\.precision) == [1, 0.5, 0.5])
        #expect(scores.map(\.recall) == [2.0 / 3, 0.5, 1])
        #expect(abs(scores[0].f1 - 0.8) < 1e-12)
        #expect(abs(metrics.macroF1 - (0.8 + 0.5 + 2.0 / 3) / 3) < 1e-12)
        #expect(scores.map(\.support) == [3, 2, 1])
    }

    @Test func classesNeverPredictedScoreZeroAndMergingAddsCounts() throws {
        var metrics = ClassificationMetrics(classNames: ["x", "y"], truth: [0, 1], predicted: [0, 0])
        let other = ClassificationMetrics(classNames: ["x", "y"], truth: [1], predicted: [1])

        #expect(metrics.perClass[1].precision == 0)
        metrics.merge(other)

        #expect(metrics.confusion == [[1, 0], [1, 1]])
        let json = try JSONSerialization.jsonObject(with: metrics.json()) as! [String: Any]
        #expect(json["examples"] as? Int == 3)
        #expect(metrics.table().contains("confusion (rows: true, columns: predicted)"))
    }
}
