/// A model read as a screening test for one class (the positive class, e.g. pneumonia)
/// against all others: the numbers a clinician asks of a test besides its accuracy.
///
/// Rates are 0 when their denominator is (scikit-learn's `zero_division=0`); the ROC-AUC is
/// NaN when the test set lacks positives or negatives. The counts are nil for a mean over
/// several models (sites alone).
package struct ScreeningSummary: Codable, Sendable, Equatable {
    /// The class the test looks for.
    package var positiveClass: String
    /// The share of positives called positive (the positive class's recall).
    package var sensitivity: Double
    /// The share of negatives (every other class) called negative.
    package var specificity: Double
    /// The share of positive calls that are right.
    package var precision: Double
    /// The area under the ROC curve of the positive class's probability.
    package var rocAUC: Double
    package var truePositives: Int?
    package var falseNegatives: Int?
    package var trueNegatives: Int?
    package var falsePositives: Int?

    package init(
        positiveClass: String,
        sensitivity: Double,
        specificity: Double,
        precision: Double,
        rocAUC: Double,
        truePositives: Int? = nil,
        falseNegatives: Int? = nil,
        trueNegatives: Int? = nil,
        falsePositives: Int? = nil
    ) {
        self.positiveClass = positiveClass
        self.sensitivity = sensitivity
        self.specificity = specificity
        self.precision = precision
        self.rocAUC = rocAUC
        self.truePositives = truePositives
        self.falseNegatives = falseNegatives
        self.trueNegatives = trueNegatives
        self.falsePositives = falsePositives
    }
}
