import Foundation
import Testing

@testable import FedLearning

/// The rare-class metrics and the threshold choice against scikit-learn 1.5.2's values on
/// fixed inputs (Tests/Fixtures/rare-class-metrics/sklearn.json, written by
/// scripts/fixtures/make_binary_metrics_fixtures.py): ties, all-equal scores, perfect and
/// inverted rankings, 0.5% positives.
struct BinaryMetricsTests {
    struct Case: Decodable {
        var name: String
        var labels: [Int]
        var scores: [Double]
        var threshold: Double
        var average_precision: Double
        var roc_auc: Double
        var recall_at_1pct_fpr: Double
        var precision: Double
        var recall: Double
        var f1: Double
        var accuracy: Double
        var best_f1_threshold: Double
        var fpr_threshold: Double?
    }

    struct Fixture: Decodable {
        var scikit_learn: String
        var cases: [Case]
    }

    static func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/rare-class-metrics/sklearn.json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// Agreement to 1e-12: only the order of floating-point sums may differ from scikit-learn's.
    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 }

    @Test func everyMetricMatchesScikitLearn() throws {
        let fixture = try Self.fixture()
        #expect(fixture.scikit_learn == "1.5.2" && fixture.cases.count == 8)
        var largest = 0.0
        for c in fixture.cases {
            let positives = c.labels.map { $0 == 1 }
            let metrics = BinaryMetrics(
                positives: positives,
                scores: c.scores,
                predicted: c.scores.map { $0 >= c.threshold },
                threshold: c.threshold
            )
            let pairs = [
                ("average precision", metrics.averagePrecision, c.average_precision),
                ("ROC-AUC", metrics.rocAUC, c.roc_auc),
                ("recall at 1% FPR", metrics.recallAtLowFalsePositiveRate, c.recall_at_1pct_fpr),
                ("precision", metrics.precision, c.precision), ("recall", metrics.recall, c.recall),
                ("F1", metrics.f1, c.f1), ("accuracy", metrics.accuracy, c.accuracy),
                ("Mann-Whitney ROC-AUC", ScreeningMetrics.rocAUC(positives: positives, scores: c.scores), c.roc_auc),
            ]
            for (what, ours, theirs) in pairs {
                largest = max(largest, abs(ours - theirs))
                #expect(Self.close(ours, theirs), "\(c.name): \(what) \(ours), scikit-learn \(theirs)")
            }
        }
        #expect(largest <= 1e-12, "largest difference \(largest)")
    }

    @Test func chosenThresholdsAreScikitLearnsCurvePoints() throws {
        for c in try Self.fixture().cases {
            let positives = c.labels.map { $0 == 1 }
            let best = try DecisionThreshold.choose(
                positives: positives,
                scores: c.scores,
                target: .bestF1,
                source: c.name
            )
            #expect(
                best == c.best_f1_threshold,
                "\(c.name): best-F1 threshold \(best), scikit-learn \(c.best_f1_threshold)"
            )
            let target = ThresholdTarget.recallAtFalsePositiveRate(0.01)
            if let expected = c.fpr_threshold {
                let chosen = try DecisionThreshold.choose(
                    positives: positives,
                    scores: c.scores,
                    target: target,
                    source: c.name
                )
                #expect(chosen == expected, "\(c.name): threshold at 1% FPR \(chosen), scikit-learn \(expected)")
            } else {
                #expect(throws: ThresholdError.self, "\(c.name)") {
                    try DecisionThreshold.choose(positives: positives, scores: c.scores, target: target, source: c.name)
                }
            }
        }
    }

    @Test func anUnreachableTargetIsToldWithSourceKeyAndValue() {
        let positives = [true, false, false, false, true]
        let scores = [0.9, 0.9, 0.9, 0.1, 0.2]
        do {
            _ = try DecisionThreshold.choose(
                positives: positives,
                scores: scores,
                target: .recallAtFalsePositiveRate(0.01),
                source: "site bank-2's validation split"
            )
            Issue.record("an unreachable target was accepted")
        } catch {
            #expect(
                "\(error)".hasPrefix(
                    "site bank-2's validation split: threshold_fpr: 0.01 cannot be met: every threshold that finds a "
                        + "positive calls at least 0.6666666666666666 of the negatives positive"
                ),
                "\(error)"
            )
        }
        #expect(
            throws: ThresholdError.missingClass(
                source: "v",
                key: "threshold_target",
                value: "best_f1",
                examples: 2,
                positives: 0
            )
        ) {
            try DecisionThreshold.choose(positives: [false, false], scores: [0.1, 0.2], target: .bestF1, source: "v")
        }
    }

    @Test func undefinedScoresAreNaNAndLeftOutOfReportsAndJSON() throws {
        let metrics = BinaryMetrics(positives: [false, false], scores: [0.2, 0.7], predicted: [false, true])
        #expect(metrics.averagePrecision.isNaN && metrics.rocAUC.isNaN && metrics.recallAtLowFalsePositiveRate.isNaN)
        #expect(metrics.reported == ["positive_precision": 0], "one false alarm; nothing to find")
        let decoded = try JSONDecoder().decode(BinaryMetrics.self, from: JSONEncoder().encode(metrics))
        #expect(decoded == metrics)
        let nan = BinaryMetrics(positives: [true, false], scores: [.nan, 0.1], predicted: [false, false])
        #expect(nan.averagePrecision.isNaN && nan.rocAUC.isNaN)
    }

    @Test func classificationMetricsPrintTheRareClassScores() throws {
        var metrics = ClassificationMetrics(classNames: ["0", "1"], truth: [0, 0, 1, 1], predicted: [0, 1, 1, 1])
        metrics.binary = BinaryMetrics(
            positives: [false, false, true, true],
            scores: [0.1, 0.4, 0.35, 0.8],
            predicted: [false, true, true, true],
            threshold: 0.3
        )
        let table = metrics.table()
        #expect(table.contains("positive  '1': 2 of 4; decisions by threshold 0.3"), "\(table)")
        #expect(table.contains("positive  precision 0.6667  recall 1.0000  F1 0.8000"), "\(table)")
        #expect(table.contains("ranking   PR-AUC 0.8333  ROC-AUC 0.7500  recall at 1% FPR 0.5000"), "\(table)")
        let json = String(decoding: try metrics.json(), as: UTF8.self)
        #expect(json.contains("\"prAUC\" : 0.83333") && json.contains("\"recallAt1PercentFPR\" : 0.5"), "\(json)")
        var merged = metrics
        merged.merge(metrics)
        #expect(merged.binary == nil && merged.count == 8)
    }
}
