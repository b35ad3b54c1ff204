/// What a two-class model's decision threshold is chosen for, on validation data: the best
/// F1 of the positive class, or the most recall a false-positive budget allows.
package enum ThresholdTarget: Sendable, Equatable {
    /// The threshold with the highest F1 of the positive class.
    case bestF1
    /// The lowest threshold whose false-positive rate is at most `falsePositiveRate`, i.e.
    /// the most positives found without more than that share of negatives called positive.
    case recallAtFalsePositiveRate(Double)
}

/// Why a threshold could not be chosen: always a sentence with where, the setting and its value.
package enum ThresholdError: Error, Equatable, CustomStringConvertible {
    /// The examples lack a class the target needs (no positives, or no negatives).
    case missingClass(source: String, key: String, value: String, examples: Int, positives: Int)
    /// No threshold within the false-positive budget finds a single positive.
    case unreachable(source: String, key: String, value: String, lowestRate: Double)
    /// The scores hold NaN (a diverged model).
    case notANumber(source: String)

    package var description: String {
        switch self {
        case .missingClass(let source, let key, let value, let examples, let positives):
            return "\(source): cannot choose a decision threshold for \(key): \(value): its \(examples) examples "
                + "hold \(positives) positives and \(examples - positives) negatives, and both are needed; "
                + "give the site more validation data or leave \(key) out"
        case .unreachable(let source, let key, let value, let lowestRate):
            return "\(source): \(key): \(value) cannot be met: every threshold that finds a positive calls "
                + "at least \(lowestRate) of the negatives positive; raise \(key) or use best_f1"
        case .notANumber(let source):
            return "\(source): the model's scores hold NaN, so no decision threshold can be chosen; "
                + "training diverged (lower the learning rate)"
        }
    }
}

/// Choosing a two-class model's decision threshold on the positive-class probability.
package enum DecisionThreshold {
    /// The threshold meeting `target` on these scores: one of the scores itself, and an example
    /// is called positive when its score is ≥ it (as the points of scikit-learn's curves).
    /// Among thresholds that score alike, the highest (fewest positive calls) is taken.
    /// `source` names the data in errors (e.g. "site bank-3's validation split").
    package static func choose(
        positives: [Bool],
        scores: [Double],
        target: ThresholdTarget,
        source: String
    ) throws -> Double {
        let curve = ScoreCurve(positives: positives, scores: scores)
        let (key, value) = Self.setting(target)
        guard !curve.hasNaN else { throw ThresholdError.notANumber(source: source) }
        guard curve.positives > 0, curve.negatives > 0 || target == .bestF1 else {
            throw ThresholdError.missingClass(
                source: source,
                key: key,
                value: value,
                examples: positives.count,
                positives: curve.positives
            )
        }
        switch target {
        case .bestF1:
            var best = (f1: -1.0, threshold: 0.0)
            for point in curve.points {
                let f1 =
                    2 * Double(point.truePositives)
                    / Double(point.truePositives + point.falsePositives + curve.positives)
                if f1 > best.f1 { best = (f1, point.threshold) }
            }
            return best.threshold
        case .recallAtFalsePositiveRate(let rate):
            var best: (truePositives: Int, threshold: Double)?
            for point in curve.points where Double(point.falsePositives) / Double(curve.negatives) <= rate {
                if point.truePositives > (best?.truePositives ?? 0) { best = (point.truePositives, point.threshold) }
            }
            guard let best else {
                let lowest =
                    curve.points.first { $0.truePositives > 0 }.map {
                        Double($0.falsePositives) / Double(curve.negatives)
                    } ?? 1
                throw ThresholdError.unreachable(source: source, key: key, value: value, lowestRate: lowest)
            }
            return best.threshold
        }
    }

    /// The setting as a file spells it, for messages.
    static func setting(_ target: ThresholdTarget) -> (key: String, value: String) {
        switch target {
        case .bestF1: ("threshold_target", "best_f1")
        case .recallAtFalsePositiveRate(let rate): ("threshold_fpr", "\(rate)")
        }
    }
}
