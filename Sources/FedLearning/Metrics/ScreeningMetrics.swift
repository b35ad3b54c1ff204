/// A classifier read as a screening test for one class (the positive class, e.g. pneumonia)
/// against all the others together: how many positives it finds (sensitivity), how many
/// negatives it clears (specificity), how often a positive call is right (precision), and
/// how well its probability ranks positives above negatives (ROC-AUC).
///
/// An example is called positive when its predicted class is the positive class, so
/// sensitivity equals the positive class's recall in the confusion matrix; the
/// probabilities only rank the examples for the ROC-AUC.
package struct ScreeningMetrics: Sendable, Codable, Equatable {
    /// The index of the positive class among the model's classes.
    package var positiveClass: Int
    /// Positives called positive.
    package var truePositives: Int
    /// Positives called negative (missed cases).
    package var falseNegatives: Int
    /// Negatives called negative.
    package var trueNegatives: Int
    /// Negatives called positive (false alarms).
    package var falsePositives: Int
    /// The area under the ROC curve: the chance that a random positive gets a higher
    /// probability than a random negative, ties counting half; NaN without both groups.
    package var rocAUC: Double

    /// Scores `positiveProbabilities` (each example's probability of the positive class)
    /// against `truth`; `predicted` is each example's predicted class, and when nil an
    /// example is called positive when its probability exceeds 0.5 (a binary argmax).
    package init(truth: [Int], positiveClass: Int, positiveProbabilities: [Double], predicted: [Int]? = nil) {
        precondition(
            truth.count == positiveProbabilities.count,
            "\(truth.count) labels for \(positiveProbabilities.count) probabilities"
        )
        precondition(predicted == nil || predicted!.count == truth.count, "one prediction per label")
        self.positiveClass = positiveClass
        (self.truePositives, self.falseNegatives, self.trueNegatives, self.falsePositives) = (0, 0, 0, 0)
        for index in truth.indices {
            let called = predicted.map { $0[index] == positiveClass } ?? (positiveProbabilities[index] > 0.5)
            switch (truth[index] == positiveClass, called) {
            case (true, true): self.truePositives += 1
            case (true, false): self.falseNegatives += 1
            case (false, false): self.trueNegatives += 1
            case (false, true): self.falsePositives += 1
            }
        }
        self.rocAUC = Self.rocAUC(positives: truth.map { $0 == positiveClass }, scores: positiveProbabilities)
    }

    /// Examples of the positive class.
    package var positives: Int { self.truePositives + self.falseNegatives }
    /// Examples of every other class.
    package var negatives: Int { self.trueNegatives + self.falsePositives }

    /// The share of positives called positive (the positive class's recall); 0 without
    /// positives, as scikit-learn's `zero_division=0`.
    package var sensitivity: Double { Self.ratio(self.truePositives, self.positives) }
    /// The share of negatives called negative; 0 without negatives.
    package var specificity: Double { Self.ratio(self.trueNegatives, self.negatives) }
    /// The share of positive calls that are right; 0 when nothing is called positive.
    package var precision: Double { Self.ratio(self.truePositives, self.truePositives + self.falsePositives) }

    private static func ratio(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }

    /// The exact ROC-AUC as the Mann–Whitney U statistic over positives × negatives:
    /// U = (sum of the positives' ranks) − P(P+1)/2, with tied scores given their mean rank
    /// (so a positive–negative tie counts half), divided by P·N. O(n log n); NaN when
    /// either group is empty or a score is NaN (a diverged model ranks nothing).
    package static func rocAUC(positives: [Bool], scores: [Double]) -> Double {
        precondition(positives.count == scores.count, "\(positives.count) labels for \(scores.count) scores")
        let p = positives.filter { $0 }.count
        let n = positives.count - p
        guard p > 0, n > 0, !scores.contains(where: \.isNaN) else { return .nan }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        // Ranks are 1-based; a run of equal scores from position i to j (0-based) shares
        // the mean rank (i + j)/2 + 1.
        var positiveRankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for position in start...end where positives[order[position]] { positiveRankSum += rank }
            start = end + 1
        }
        let u = positiveRankSum - Double(p) * Double(p + 1) / 2
        return u / (Double(p) * Double(n))
    }
}
