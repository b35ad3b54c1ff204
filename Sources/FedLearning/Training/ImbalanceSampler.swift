import FedData
import FedTensor

/// Re-sampling of a training split with a rare class: random over-sampling, random
/// under-sampling and SMOTE, all seeded. Only the training split is ever given to it; the
/// validation and held-out data a model is judged on keep their real class mix.
package enum ImbalanceSampler {
    /// How many examples of each class the re-sampled split holds. Over-sampling and SMOTE
    /// raise every class present to round(ratio × the largest class) (never lower); under-sampling
    /// cuts every class to round(smallest present class ÷ ratio) (never higher). A class with no
    /// examples stays empty.
    package static func targetCounts(
        _ counts: [Int],
        sampling: TrainingConfiguration.Sampling,
        ratio: Double
    ) -> [Int] {
        let present = counts.filter { $0 > 0 }
        guard let largest = present.max(), let smallest = present.min() else { return counts }
        switch sampling {
        case .none:
            return counts
        case .oversample, .smote:
            let target = Int((ratio * Double(largest)).rounded())
            return counts.map { $0 == 0 ? 0 : Swift.max($0, target) }
        case .undersample:
            let cap = Int((Double(smallest) / ratio).rounded())
            return counts.map { Swift.min($0, cap) }
        }
    }

    /// Indices into the split after random over- or under-sampling (with repeats when
    /// over-sampling), grouped by class; the trainer shuffles them every epoch.
    package static func indices(
        labels: [Int],
        classes: Int,
        sampling: TrainingConfiguration.Sampling,
        ratio: Double,
        generator: inout SeededGenerator
    ) -> [Int] {
        let members = self.members(labels: labels, classes: classes)
        let targets = self.targetCounts(members.map(\.count), sampling: sampling, ratio: ratio)
        var result: [Int] = []
        result.reserveCapacity(targets.reduce(0, +))
        for (group, target) in zip(members, targets) {
            if target >= group.count {
                result += group
                for _ in 0..<(target - group.count) { result.append(group[generator.nextIndex(below: group.count)]) }
            } else {
                // A partial Fisher–Yates shuffle picks `target` distinct examples.
                var pool = group
                for i in 0..<target { pool.swapAt(i, i + generator.nextIndex(below: pool.count - i)) }
                result += pool[..<target].sorted()
            }
        }
        return result
    }

    /// SMOTE (Chawla et al. 2002): the split with synthetic examples appended to raise each
    /// smaller class to its target count. Each one takes a random example x of the class, one of
    /// its k nearest neighbours n within the class (Euclidean, on the standardised features),
    /// and u uniform in [0, 1): x + u·(n − x). A class of one example is repeated instead.
    /// Neighbours are found by brute force, O(m²·features) for m examples of a class.
    package static func smote(
        _ data: Dataset,
        ratio: Double,
        neighbors k: Int,
        generator: inout SeededGenerator
    ) -> Dataset {
        let classes = data.classNames.count
        let members = self.members(labels: data.labels, classes: classes)
        let targets = self.targetCounts(members.map(\.count), sampling: .smote, ratio: ratio)
        let width = data.featureCount
        let added = zip(members, targets).reduce(0) { $0 + $1.1 - $1.0.count }
        guard added > 0 else { return data }
        var features = data.features.scalars
        features.reserveCapacity((data.count + added) * width)
        var labels = data.labels
        labels.reserveCapacity(data.count + added)
        for (label, (group, target)) in zip(members, targets).enumerated() where target > group.count {
            let neighbours =
                group.count > 1 ? self.nearest(group, in: data.features, k: Swift.min(k, group.count - 1)) : []
            for _ in 0..<(target - group.count) {
                let pick = generator.nextIndex(below: group.count)
                let x = group[pick]
                guard !neighbours.isEmpty else {
                    features += data.features.scalars[(x * width)..<((x + 1) * width)]
                    labels.append(label)
                    continue
                }
                let n = neighbours[pick][generator.nextIndex(below: neighbours[pick].count)]
                let u = generator.nextUniform()
                for f in 0..<width {
                    let a = data.features.scalars[x * width + f]
                    features.append(a + u * (data.features.scalars[n * width + f] - a))
                }
                labels.append(label)
            }
        }
        return Dataset(
            features: Tensor(shape: [labels.count, width], scalars: features),
            labels: labels,
            featureNames: data.featureNames,
            classNames: data.classNames
        )
    }

    /// For each row of `group`, the rows of `group` (not itself) nearest to it, k of them,
    /// nearest first (ties by position).
    static func nearest(_ group: [Int], in features: Tensor, k: Int) -> [[Int]] {
        let width = features.columns
        return features.scalars.withUnsafeBufferPointer { x in
            group.map { a in
                var best: [(distance: Float, row: Int)] = []
                best.reserveCapacity(k + 1)
                for b in group where b != a {
                    var distance: Float = 0
                    for f in 0..<width {
                        let d = x[a * width + f] - x[b * width + f]
                        distance += d * d
                    }
                    if best.count == k, distance >= best[k - 1].distance { continue }
                    let at = best.firstIndex { $0.distance > distance } ?? best.count
                    best.insert((distance, b), at: at)
                    if best.count > k { best.removeLast() }
                }
                return best.map(\.row)
            }
        }
    }

    /// The indices of each class's examples, in order.
    static func members(labels: [Int], classes: Int) -> [[Int]] {
        var members = [[Int]](repeating: [], count: classes)
        for (index, label) in labels.enumerated() { members[label].append(index) }
        return members
    }
}

extension ImbalanceSampler {
    /// The examples a trainer fits and the index order it starts from, after the settings'
    /// re-sampling of the training split: the split itself and every index once when there is
    /// none; repeated or dropped indices for over- and under-sampling; the split with SMOTE's
    /// synthetic rows appended (numeric examples only).
    static func prepare<Examples: LabeledExamples>(
        _ train: Examples,
        classes: Int,
        configuration: TrainingConfiguration,
        generator: inout SeededGenerator
    ) throws -> (examples: Examples, order: [Int]) {
        switch configuration.sampling {
        case .none:
            return (train, Array(0..<train.count))
        case .oversample, .undersample:
            let order = self.indices(
                labels: train.labels,
                classes: classes,
                sampling: configuration.sampling,
                ratio: configuration.samplingRatio,
                generator: &generator
            )
            return (train, order)
        case .smote:
            guard let data = train as? Dataset,
                let examples = self.smote(
                    data,
                    ratio: configuration.samplingRatio,
                    neighbors: configuration.smoteNeighbors,
                    generator: &generator
                ) as? Examples
            else {
                throw TrainingError.invalidConfiguration(
                    detail: "sampling: smote interpolates numeric features, which only tabular models have; "
                        + "use sampling: oversample or undersample for text and image models"
                )
            }
            return (examples, Array(0..<examples.count))
        }
    }
}
