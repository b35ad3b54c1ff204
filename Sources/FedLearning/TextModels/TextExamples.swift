import FedTensor

/// Tokenised texts with class labels. A class, so a head-mode classifier can keep the pooled
/// embeddings of these texts beside them and compute them once, not once per epoch.
package final class TextExamples: LabeledExamples {
    /// Each text's ids, [CLS] … [SEP], already truncated.
    package let tokens: [[Int32]]
    package let labels: [Int]
    package let classNames: [String]
    /// Pooled embeddings [count, hidden] from the encoder weights identified by `key`.
    var pooled: (key: UInt64, features: Tensor)?

    package init(tokens: [[Int32]], labels: [Int], classNames: [String]) {
        precondition(tokens.count == labels.count, "\(tokens.count) texts for \(labels.count) labels")
        self.tokens = tokens
        self.labels = labels
        self.classNames = classNames
    }

    package var count: Int { self.labels.count }

    /// The examples at `indices`, in that order (without cached embeddings).
    package func subset(_ indices: [Int]) -> TextExamples {
        TextExamples(
            tokens: indices.map { self.tokens[$0] },
            labels: indices.map { self.labels[$0] },
            classNames: self.classNames
        )
    }

    /// Number of examples of each class.
    package var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: self.classNames.count)
        for label in self.labels { counts[label] += 1 }
        return counts
    }
}
