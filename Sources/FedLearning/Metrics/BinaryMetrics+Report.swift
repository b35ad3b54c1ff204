import Foundation

extension BinaryMetrics {
    /// The lines `ClassificationMetrics.table()` prints under accuracy for a two-class model.
    func tableLines(positiveName: String) -> [String] {
        let threshold = self.threshold.map { String(format: "threshold %.6g", $0) } ?? "argmax"
        return [
            "positive  '\(positiveName)': \(self.positives) of \(self.examples); decisions by \(threshold)",
            String(
                format: "positive  precision %.4f  recall %.4f  F1 %.4f",
                self.precision,
                self.recall,
                self.f1
            ),
            String(
                format: "ranking   PR-AUC %.4f  ROC-AUC %.4f  recall at 1%% FPR %.4f",
                self.averagePrecision,
                self.rocAUC,
                self.recallAtLowFalsePositiveRate
            ),
        ]
    }

    /// The scores as `ClassificationMetrics.json()` writes them (undefined ones as null).
    struct Report: Encodable {
        var positives: Int
        var threshold: Double?
        var precision: Double
        var recall: Double
        var f1: Double
        var prAUC: Double?
        var rocAUC: Double?
        var recallAt1PercentFPR: Double?
    }

    var report: Report {
        func finite(_ value: Double) -> Double? { value.isFinite ? value : nil }
        return Report(
            positives: self.positives,
            threshold: self.threshold,
            precision: self.precision,
            recall: self.recall,
            f1: self.f1,
            prAUC: finite(self.averagePrecision),
            rocAUC: finite(self.rocAUC),
            recallAt1PercentFPR: finite(self.recallAtLowFalsePositiveRate)
        )
    }
}

extension BinaryMetrics {
    private enum CodingKeys: String, CodingKey {
        case examples, positives, threshold, truePositives, falsePositives, averagePrecision, rocAUC
        case recallAtLowFalsePositiveRate
    }

    /// Undefined scores (NaN: a class missing) are written as absent, since JSON has no NaN.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.examples, forKey: .examples)
        try c.encode(self.positives, forKey: .positives)
        try c.encodeIfPresent(self.threshold, forKey: .threshold)
        try c.encode(self.truePositives, forKey: .truePositives)
        try c.encode(self.falsePositives, forKey: .falsePositives)
        for (key, value) in [
            (CodingKeys.averagePrecision, self.averagePrecision), (.rocAUC, self.rocAUC),
            (.recallAtLowFalsePositiveRate, self.recallAtLowFalsePositiveRate),
        ] where value.isFinite {
            try c.encode(value, forKey: key)
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.examples = try c.decode(Int.self, forKey: .examples)
        self.positives = try c.decode(Int.self, forKey: .positives)
        self.threshold = try c.decodeIfPresent(Double.self, forKey: .threshold)
        self.truePositives = try c.decode(Int.self, forKey: .truePositives)
        self.falsePositives = try c.decode(Int.self, forKey: .falsePositives)
        self.averagePrecision = try c.decodeIfPresent(Double.self, forKey: .averagePrecision) ?? .nan
        self.rocAUC = try c.decodeIfPresent(Double.self, forKey: .rocAUC) ?? .nan
        self.recallAtLowFalsePositiveRate =
            try c.decodeIfPresent(Double.self, forKey: .recallAtLowFalsePositiveRate) ?? .nan
    }
}

extension BinaryMetrics {
    /// Equal when every count and score is, an undefined (NaN) score matching only another.
    package static func == (lhs: BinaryMetrics, rhs: BinaryMetrics) -> Bool {
        func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }
        return lhs.examples == rhs.examples && lhs.positives == rhs.positives && lhs.threshold == rhs.threshold
            && lhs.truePositives == rhs.truePositives && lhs.falsePositives == rhs.falsePositives
            && same(lhs.averagePrecision, rhs.averagePrecision) && same(lhs.rocAUC, rhs.rocAUC)
            && same(lhs.recallAtLowFalsePositiveRate, rhs.recallAtLowFalsePositiveRate)
    }
}
