import FedTensor
import Foundation

/// Numeric examples with integer class labels: features [N, F] and labels [N], plus
/// the names of the feature columns and of the classes (label i is `classNames[i]`).
package struct Dataset: Sendable {
    package var features: Tensor
    package var labels: [Int]
    package var featureNames: [String]
    package var classNames: [String]

    package init(features: Tensor, labels: [Int], featureNames: [String], classNames: [String]) {
        precondition(features.rows == labels.count, "\(features.rows) feature rows for \(labels.count) labels")
        self.features = features
        self.labels = labels
        self.featureNames = featureNames
        self.classNames = classNames
    }

    package var count: Int { self.labels.count }
    package var featureCount: Int { self.featureNames.count }

    /// The examples at `indices`, in that order.
    package func subset(_ indices: [Int]) -> Dataset {
        var features = Tensor(shape: [0, self.featureCount])
        self.features.gatherRows(indices[...], into: &features)
        return Dataset(
            features: features,
            labels: indices.map { self.labels[$0] },
            featureNames: self.featureNames,
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
