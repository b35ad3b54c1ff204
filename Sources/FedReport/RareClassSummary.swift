/// A two-class model read for its rare positive class (fraud, a disease): how well its scores
/// rank positives first (PR-AUC as average precision, ROC-AUC, the recall it reaches at a 1%
/// false-positive rate) and how its decisions do on the positive class (precision, recall,
/// F1). With 0.17% positives accuracy says almost nothing; these do.
///
/// Undefined scores (a test set without positives, a diverged model) are NaN. The counts and
/// the threshold are nil for a mean over several models (sites alone).
package struct RareClassSummary: Codable, Sendable, Equatable {
    /// The class the scores are for.
    package var positiveClass: String
    /// Average precision (scikit-learn's `average_precision_score`).
    package var prAUC: Double
    package var rocAUC: Double
    /// The most recall of any threshold whose false-positive rate is at most 1%.
    package var recallAt1PercentFPR: Double
    /// The positive class's precision, recall and F1 of the model's decisions.
    package var precision: Double
    package var recall: Double
    package var f1: Double
    /// The decision threshold on the positive class's probability; nil decides by argmax.
    package var threshold: Double?
    /// Positives in the test set.
    package var positives: Int?
    package var truePositives: Int?
    package var falsePositives: Int?

    package init(
        positiveClass: String,
        prAUC: Double,
        rocAUC: Double,
        recallAt1PercentFPR: Double,
        precision: Double,
        recall: Double,
        f1: Double,
        threshold: Double? = nil,
        positives: Int? = nil,
        truePositives: Int? = nil,
        falsePositives: Int? = nil
    ) {
        self.positiveClass = positiveClass
        self.prAUC = prAUC
        self.rocAUC = rocAUC
        self.recallAt1PercentFPR = recallAt1PercentFPR
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.threshold = threshold
        self.positives = positives
        self.truePositives = truePositives
        self.falsePositives = falsePositives
    }

    /// The mean of each score over `summaries` (sites alone); nil when there are none or they
    /// are for different classes. A score undefined for one model makes the mean undefined.
    package static func mean(_ summaries: [RareClassSummary]) -> RareClassSummary? {
        guard let first = summaries.first, summaries.allSatisfy({ $0.positiveClass == first.positiveClass }) else {
            return nil
        }
        func mean(_ value: (RareClassSummary) -> Double) -> Double {
            summaries.map(value).reduce(0, +) / Double(summaries.count)
        }
        return RareClassSummary(
            positiveClass: first.positiveClass,
            prAUC: mean(\.prAUC),
            rocAUC: mean(\.rocAUC),
            recallAt1PercentFPR: mean(\.recallAt1PercentFPR),
            precision: mean(\.precision),
            recall: mean(\.recall),
            f1: mean(\.f1)
        )
    }

    /// The scores by column, in the order tables show them.
    package static var columns: [(title: String, hint: String, value: (RareClassSummary) -> Double)] {
        [
            ("PR-AUC", "average precision of the positive class's probability", \.prAUC),
            ("ROC-AUC", "area under the ROC curve", \.rocAUC),
            (
                "Recall @1% FPR", "the most positives found while calling at most 1% of negatives positive",
                \.recallAt1PercentFPR
            ),
            ("Precision", "share of positive calls that are right", \.precision),
            ("Recall", "share of positives called positive", \.recall),
            ("F1", "F1 of the positive class", \.f1),
        ]
    }
}
