/// The settings for rare classes (fraud, a disease): re-sampling of the training split, the
/// focal loss, and how a two-class model's decision threshold is chosen. All are local
/// training settings, so they reach each site in a round's `configuration`, and each one is
/// written only when it differs from its default (settings without them read as before).
extension TrainingConfiguration {
    /// How the training split is re-sampled before training (validation data never is).
    package enum Sampling: String, Sendable, Codable, CaseIterable {
        case none
        /// Random over-sampling: smaller classes' examples repeated, drawn with replacement.
        case oversample
        /// Random under-sampling: larger classes cut to a random subset.
        case undersample
        /// SMOTE (Chawla et al. 2002): smaller classes raised with examples interpolated
        /// between an example and one of its k nearest neighbours of its class (numeric
        /// features only).
        case smote
    }

    /// The loss a model is trained with.
    package enum LossKind: String, Sendable, Codable, CaseIterable {
        case crossEntropy = "cross_entropy"
        /// The focal loss of Lin et al. (2017): −α_y·(1 − p_y)^γ·log p_y, α the class weights.
        case focal
    }

    /// How a two-class model's decision threshold is chosen (`ThresholdTarget`).
    package enum ThresholdChoice: String, Sendable, Codable, CaseIterable {
        /// Decide by argmax (a threshold of 0.5).
        case none
        /// The threshold with the best F1 of class 1.
        case bestF1 = "best_f1"
        /// The most recall at a false-positive rate of at most `threshold_fpr`.
        case recallAtFPR = "recall_at_fpr"
    }

    /// The threshold target these settings ask for, or nil for argmax.
    package var threshold: ThresholdTarget? {
        switch self.thresholdTarget {
        case .none: nil
        case .bestF1: .bestF1
        case .recallAtFPR: .recallAtFalsePositiveRate(self.thresholdFalsePositiveRate)
        }
    }

    mutating func decodeImbalance(_ c: KeyedDecodingContainer<CodingKeys>) throws {
        self.sampling = try c.decodeIfPresent(Sampling.self, forKey: .sampling) ?? self.sampling
        self.samplingRatio = try c.decodeIfPresent(Double.self, forKey: .samplingRatio) ?? self.samplingRatio
        self.smoteNeighbors = try c.decodeIfPresent(Int.self, forKey: .smoteNeighbors) ?? self.smoteNeighbors
        self.loss = try c.decodeIfPresent(LossKind.self, forKey: .loss) ?? self.loss
        self.focalGamma = try c.decodeIfPresent(Float.self, forKey: .focalGamma) ?? self.focalGamma
        self.thresholdTarget =
            try c.decodeIfPresent(ThresholdChoice.self, forKey: .thresholdTarget)
            ?? self.thresholdTarget
        self.thresholdFalsePositiveRate =
            try c.decodeIfPresent(Double.self, forKey: .thresholdFalsePositiveRate)
            ?? self.thresholdFalsePositiveRate
    }

    func encodeImbalance(_ c: inout KeyedEncodingContainer<CodingKeys>) throws {
        let defaults = TrainingConfiguration()
        if self.sampling != defaults.sampling { try c.encode(self.sampling, forKey: .sampling) }
        if self.samplingRatio != defaults.samplingRatio { try c.encode(self.samplingRatio, forKey: .samplingRatio) }
        if self.smoteNeighbors != defaults.smoteNeighbors {
            try c.encode(self.smoteNeighbors, forKey: .smoteNeighbors)
        }
        if self.loss != defaults.loss { try c.encode(self.loss, forKey: .loss) }
        if self.focalGamma != defaults.focalGamma { try c.encode(self.focalGamma, forKey: .focalGamma) }
        if self.thresholdTarget != defaults.thresholdTarget {
            try c.encode(self.thresholdTarget, forKey: .thresholdTarget)
        }
        if self.thresholdFalsePositiveRate != defaults.thresholdFalsePositiveRate {
            try c.encode(self.thresholdFalsePositiveRate, forKey: .thresholdFalsePositiveRate)
        }
    }

    /// The imbalance settings out of their ranges or in a combination that cannot work.
    var imbalanceProblems: [String] {
        var problems: [String] = []
        if !(self.samplingRatio.isFinite && self.samplingRatio > 0 && self.samplingRatio <= 1) {
            problems.append("sampling_ratio must be in (0, 1], found \(self.samplingRatio)")
        }
        if !Limits.smoteNeighbors.contains(self.smoteNeighbors) {
            problems.append("smote_neighbors must be in 1...100, found \(self.smoteNeighbors)")
        }
        if !(self.focalGamma.isFinite && Limits.focalGamma.contains(self.focalGamma)) {
            problems.append("focal_gamma must be in 0...10, found \(self.focalGamma)")
        }
        if self.loss == .focal && self.labelSmoothing != 0 {
            problems.append("label_smoothing \(self.labelSmoothing) cannot be combined with loss: focal; set it to 0")
        }
        if !(self.thresholdFalsePositiveRate.isFinite && (0..<1).contains(self.thresholdFalsePositiveRate)) {
            problems.append("threshold_fpr must be in [0, 1), found \(self.thresholdFalsePositiveRate)")
        }
        return problems
    }
}
