/// One site of the federation: how much data it holds and how well the models do on its
/// own test data, so the report can show who federation helps and who it leaves behind.
package struct SiteSummary: Codable, Sendable, Equatable {
    package var name: String
    package var trainExamples: Int
    package var testExamples: Int
    /// Training examples per class, in class order; shows each site's label skew.
    package var classCounts: [Int]?
    /// Accuracy on this site's test data of the model the site fine-tuned alone.
    package var aloneAccuracy: Double?
    /// Accuracy on this site's test data of the federation's final global model.
    package var globalAccuracy: Double?
    /// A few of the site's training images as its scanner rendered them (image scenarios).
    package var examples: [ExampleImage]?

    package init(
        name: String,
        trainExamples: Int,
        testExamples: Int,
        classCounts: [Int]? = nil,
        aloneAccuracy: Double? = nil,
        globalAccuracy: Double? = nil,
        examples: [ExampleImage]? = nil
    ) {
        self.name = name
        self.trainExamples = trainExamples
        self.testExamples = testExamples
        self.classCounts = classCounts
        self.aloneAccuracy = aloneAccuracy
        self.globalAccuracy = globalAccuracy
        self.examples = examples
    }
}
