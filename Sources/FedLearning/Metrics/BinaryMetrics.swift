/// Scores of a two-class model read for a rare positive class (fraud, a disease): how well
/// its scores rank positives first over every threshold (PR-AUC, ROC-AUC, the recall it can
/// reach at a 1% false-positive rate) and how its actual decisions do on the positive class
/// (precision, recall, F1). With 0.17% positives accuracy says almost nothing; these do.
///
/// The curves follow scikit-learn: thresholds are the distinct scores, an example is called
/// positive at threshold t when its score is ≥ t, and tied scores move together.
package struct BinaryMetrics: Sendable, Codable, Equatable {
    /// The false-positive rate at which `recallAtLowFalsePositiveRate` is read.
    package static let lowFalsePositiveRate = 0.01

    package var examples: Int
    /// Examples whose true class is the positive one.
    package var positives: Int
    /// The decision threshold on the positive-class probability the decisions used, or nil
    /// when they were the argmax of the logits.
    package var threshold: Double?
    package var truePositives: Int
    package var falsePositives: Int
    /// Average precision, scikit-learn's `average_precision_score`: Σₖ (Rₖ − Rₖ₋₁)·Pₖ over the
    /// distinct scores from high to low (a step sum, no interpolation); NaN without positives.
    package var averagePrecision: Double
    /// The area under the ROC curve (trapezoids; ties count half); NaN without both classes.
    package var rocAUC: Double
    /// The highest recall of any threshold whose false-positive rate is at most 1% (the
    /// points of `roc_curve(drop_intermediate=False)`); NaN without both classes.
    package var recallAtLowFalsePositiveRate: Double

    /// Scores `scores` (each example's probability of the positive class) against
    /// `positives`; `predicted` says which examples the model called positive.
    package init(positives: [Bool], scores: [Double], predicted: [Bool], threshold: Double? = nil) {
        precondition(positives.count == scores.count, "\(positives.count) labels for \(scores.count) scores")
        precondition(positives.count == predicted.count, "\(positives.count) labels for \(predicted.count) predictions")
        self.examples = positives.count
        self.positives = positives.filter { $0 }.count
        self.threshold = threshold
        self.truePositives = zip(positives, predicted).filter { $0 && $1 }.count
        self.falsePositives = zip(positives, predicted).filter { !$0 && $1 }.count
        let curve = ScoreCurve(positives: positives, scores: scores)
        self.averagePrecision = curve.averagePrecision
        self.rocAUC = curve.rocAUC
        self.recallAtLowFalsePositiveRate = curve.recall(atFalsePositiveRate: Self.lowFalsePositiveRate)
    }

    /// Examples of the negative class.
    package var negatives: Int { self.examples - self.positives }
    package var falseNegatives: Int { self.positives - self.truePositives }
    package var trueNegatives: Int { self.negatives - self.falsePositives }

    /// The share of positive calls that are right; 0 when nothing is called positive
    /// (scikit-learn's `zero_division=0`).
    package var precision: Double { Self.ratio(self.truePositives, self.truePositives + self.falsePositives) }
    /// The share of positives found; 0 without positives.
    package var recall: Double { Self.ratio(self.truePositives, self.positives) }
    /// The positive class's F1: 2·TP / (2·TP + FP + FN); 0 when all three are 0.
    package var f1: Double {
        Self.ratio(2 * self.truePositives, 2 * self.truePositives + self.falsePositives + self.falseNegatives)
    }
    /// The share of examples decided right.
    package var accuracy: Double { Self.ratio(self.truePositives + self.trueNegatives, self.examples) }

    private static func ratio(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }

    /// The metrics by the names a site reports them with (`pr_auc`, `roc_auc`,
    /// `recall_at_1pct_fpr`, `positive_precision`, `positive_recall`, `positive_f1`). A metric
    /// that is undefined on these examples is left out rather than sent as 0, so a site
    /// without positives does not pull the federation's mean down: the areas without both
    /// classes, recall and F1 without positives, precision without a positive call.
    package var reported: [String: Double] {
        var all = [
            "pr_auc": self.averagePrecision, "roc_auc": self.rocAUC,
            "recall_at_1pct_fpr": self.recallAtLowFalsePositiveRate,
        ]
        if self.positives > 0 {
            all["positive_recall"] = self.recall
            all["positive_f1"] = self.f1
        }
        if self.truePositives + self.falsePositives > 0 { all["positive_precision"] = self.precision }
        return all.filter { $0.value.isFinite }
    }
}

/// The points of the ROC and precision–recall curves of some scores: one point per distinct
/// score, from the highest down, with the true and false positives called at that threshold.
package struct ScoreCurve: Sendable {
    /// (threshold, true positives, false positives) for each distinct score, descending.
    package private(set) var points: [(threshold: Double, truePositives: Int, falsePositives: Int)] = []
    package let positives: Int
    package let negatives: Int
    /// Whether a score was NaN (a diverged model ranks nothing: every area is NaN).
    package let hasNaN: Bool

    package init(positives: [Bool], scores: [Double]) {
        precondition(positives.count == scores.count, "\(positives.count) labels for \(scores.count) scores")
        self.positives = positives.filter { $0 }.count
        self.negatives = positives.count - self.positives
        self.hasNaN = scores.contains(where: \.isNaN)
        guard !self.hasNaN else { return }
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var truePositives = 0
        var falsePositives = 0
        var start = 0
        while start < order.count {
            var end = start
            while end < order.count && scores[order[end]] == scores[order[start]] {
                if positives[order[end]] { truePositives += 1 } else { falsePositives += 1 }
                end += 1
            }
            self.points.append((scores[order[start]], truePositives, falsePositives))
            start = end
        }
    }

    /// Σₖ (Rₖ − Rₖ₋₁)·Pₖ; NaN without positives (scikit-learn warns and returns 0 there).
    package var averagePrecision: Double {
        guard !self.hasNaN, self.positives > 0 else { return .nan }
        var sum = 0.0
        var previousRecall = 0.0
        for point in self.points {
            let recall = Double(point.truePositives) / Double(self.positives)
            let precision = Double(point.truePositives) / Double(point.truePositives + point.falsePositives)
            sum += (recall - previousRecall) * precision
            previousRecall = recall
        }
        return sum
    }

    /// The trapezoidal area under (FPR, TPR) from (0, 0); NaN without both classes.
    package var rocAUC: Double {
        guard !self.hasNaN, self.positives > 0, self.negatives > 0 else { return .nan }
        var area = 0.0
        var previous = (fp: 0, tp: 0)
        for point in self.points {
            area += Double(point.falsePositives - previous.fp) * Double(point.truePositives + previous.tp) / 2
            previous = (point.falsePositives, point.truePositives)
        }
        return area / (Double(self.positives) * Double(self.negatives))
    }

    /// The highest true-positive rate among the curve's points (the origin included) whose
    /// false-positive rate is at most `rate`; NaN without both classes.
    package func recall(atFalsePositiveRate rate: Double) -> Double {
        guard !self.hasNaN, self.positives > 0, self.negatives > 0 else { return .nan }
        var best = 0
        for point in self.points where Double(point.falsePositives) / Double(self.negatives) <= rate {
            best = Swift.max(best, point.truePositives)
        }
        return Double(best) / Double(self.positives)
    }
}
