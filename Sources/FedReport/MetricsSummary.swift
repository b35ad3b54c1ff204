/// A classifier's scores on one test set: the headline numbers, per-class detail and the
/// confusion matrix they come from.
package struct MetricsSummary: Codable, Sendable, Equatable {
    /// Precision, recall and F1 of one class.
    package struct ClassMetrics: Codable, Sendable, Equatable {
        package var name: String
        package var precision: Double
        package var recall: Double
        package var f1: Double
        /// How many test examples truly are of this class.
        package var support: Int

        package init(name: String, precision: Double, recall: Double, f1: Double, support: Int) {
            self.name = name
            self.precision = precision
            self.recall = recall
            self.f1 = f1
            self.support = support
        }
    }

    package var accuracy: Double
    package var macroPrecision: Double
    package var macroRecall: Double
    package var macroF1: Double
    /// Mean cross-entropy, when the model was scored with it.
    package var loss: Double?
    /// One entry per class, in class order.
    package var perClass: [ClassMetrics]
    /// Counts: rows are the true class, columns the predicted class.
    package var confusion: [[Int]]
    /// The model as a screening test for the scenario's positive class; nil when it names none.
    package var screening: ScreeningSummary?
    /// A two-class model's rare-class scores for the scenario's positive class; nil otherwise.
    package var rareClass: RareClassSummary?

    package init(
        accuracy: Double,
        macroPrecision: Double,
        macroRecall: Double,
        macroF1: Double,
        loss: Double? = nil,
        perClass: [ClassMetrics] = [],
        confusion: [[Int]] = [],
        screening: ScreeningSummary? = nil,
        rareClass: RareClassSummary? = nil
    ) {
        self.accuracy = accuracy
        self.macroPrecision = macroPrecision
        self.macroRecall = macroRecall
        self.macroF1 = macroF1
        self.loss = loss
        self.perClass = perClass
        self.confusion = confusion
        self.screening = screening
        self.rareClass = rareClass
    }
}
