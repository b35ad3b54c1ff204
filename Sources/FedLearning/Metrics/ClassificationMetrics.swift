/// Scores of predicted against true classes, all derived from one confusion matrix so
/// they can be summed across sites and batches before any ratio is taken.
package struct ClassificationMetrics: Sendable, Codable, Equatable {
    /// Scores of one class.
    package struct ClassScore: Sendable, Codable, Equatable {
        package var name: String
        package var precision: Double
        package var recall: Double
        package var f1: Double
        /// Number of examples whose true class this is.
        package var support: Int
    }

    package var classNames: [String]
    /// confusion[true][predicted] counts.
    package var confusion: [[Int]]
    /// For a two-class model scored with its probabilities: the rare-class scores (PR-AUC,
    /// ROC-AUC, recall at 1% FPR, the positive class's precision, recall and F1), class 1
    /// being the positive one. Nil otherwise, and after `merge` (rankings do not add up).
    package var binary: BinaryMetrics?

    package init(classNames: [String]) {
        self.classNames = classNames
        self.confusion = Array(repeating: Array(repeating: 0, count: classNames.count), count: classNames.count)
    }

    package init(classNames: [String], truth: [Int], predicted: [Int]) {
        precondition(truth.count == predicted.count, "\(truth.count) labels for \(predicted.count) predictions")
        self.init(classNames: classNames)
        for (t, p) in zip(truth, predicted) { self.confusion[t][p] += 1 }
    }

    /// Adds another confusion matrix over the same classes (e.g. another site's).
    package mutating func merge(_ other: ClassificationMetrics) {
        precondition(other.classNames == self.classNames, "merging metrics over different classes")
        self.binary = nil
        for t in self.confusion.indices {
            for p in self.confusion[t].indices { self.confusion[t][p] += other.confusion[t][p] }
        }
    }

    package var count: Int { self.confusion.reduce(0) { $0 + $1.reduce(0, +) } }

    package var accuracy: Double {
        let correct = self.confusion.indices.reduce(0) { $0 + self.confusion[$1][$1] }
        return self.count == 0 ? 0 : Double(correct) / Double(self.count)
    }

    /// Precision, recall and F1 per class; a ratio with a zero denominator is 0, as in
    /// scikit-learn's `zero_division=0`.
    package var perClass: [ClassScore] {
        self.classNames.indices.map { c in
            let truePositives = Double(self.confusion[c][c])
            let predicted = Double(self.confusion.reduce(0) { $0 + $1[c] })
            let actual = self.confusion[c].reduce(0, +)
            let precision = predicted == 0 ? 0 : truePositives / predicted
            let recall = actual == 0 ? 0 : truePositives / Double(actual)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassScore(name: self.classNames[c], precision: precision, recall: recall, f1: f1, support: actual)
        }
    }

    /// Unweighted means over classes.
    package var macroPrecision: Double { self.macro(\.precision) }
    package var macroRecall: Double { self.macro(\.recall) }
    package var macroF1: Double { self.macro(\.f1) }

    private func macro(_ score: KeyPath<ClassScore, Double>) -> Double {
        let scores = self.perClass
        return scores.isEmpty ? 0 : scores.reduce(0) { $0 + $1[keyPath: score] } / Double(scores.count)
    }
}
