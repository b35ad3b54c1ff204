import FedSupport

/// Everything that decides how a model is trained locally; the same struct is filled
/// from the command line, from a scenario file, or by the coordinator for a round.
package struct TrainingConfiguration: Sendable, Codable, Equatable {
    /// How the learning rate moves over the run.
    package enum Schedule: String, Sendable, Codable, CaseIterable {
        case constant
        case linear
        case cosine
    }

    package var epochs: Int = 10
    package var batchSize: Int = 32
    package var learningRate: Float = 1e-3
    package var optimizer = OptimizerConfiguration()
    package var schedule: Schedule = .constant
    /// Share of all steps spent warming up linearly (linear and cosine schedules).
    package var warmupFraction: Double = 0
    /// Global gradient-norm clip; nil leaves gradients as they are.
    package var gradientClipNorm: Float?
    /// Stop after this many epochs without a better validation loss (and restore the
    /// best weights); nil trains all epochs.
    package var patience: Int?
    /// Per-class loss weights, one per class; nil weighs all classes alike.
    package var classWeights: [Float]?
    /// Weighs classes by inverse frequency in the training data at hand (each site its
    /// own), when `classWeights` is not given.
    package var balanceClasses = false
    package var labelSmoothing: Float = 0
    /// FedProx's μ: a round's local training adds μ/2·‖w − w_global‖² over the round's tensors
    /// to the loss (`ProximalTerm`); 0 is off, and training outside a round ignores it.
    package var proximalMu: Float = 0
    /// Re-sampling of the training split (never the validation data); see `Sampling`.
    package var sampling: Sampling = .none
    /// The size the re-sampling aims for: each smaller class raised to (oversample, smote), or
    /// each larger class cut to (undersample), this ratio to the largest (smallest) class.
    package var samplingRatio: Double = 1
    /// k of SMOTE: a synthetic example lies between a minority example and one of its k
    /// nearest neighbours of the same class.
    package var smoteNeighbors: Int = 5
    package var loss: LossKind = .crossEntropy
    /// γ of the focal loss (0 is cross-entropy); class weights are its α.
    package var focalGamma: Float = 2
    /// How a two-class model's decision threshold is chosen on validation data.
    package var thresholdTarget: ThresholdChoice = .none
    /// The false-positive rate `recall_at_fpr` allows.
    package var thresholdFalsePositiveRate: Double = 0.01
    /// Seeds shuffling and dropout.
    package var seed: UInt64 = 0

    package init() {}

    /// The schedule over `totalSteps` steps.
    package func learningRateSchedule(totalSteps: Int) -> LearningRateSchedule {
        let warmup = Int((Double(totalSteps) * self.warmupFraction).rounded())
        switch self.schedule {
        case .constant: return .constant
        case .linear: return .linear(warmupSteps: warmup, totalSteps: totalSteps)
        case .cosine: return .cosine(warmupSteps: warmup, totalSteps: totalSteps)
        }
    }

    /// Weights inversely proportional to class frequency (n / (classes · count)), as
    /// scikit-learn's `class_weight="balanced"`; a class with no examples gets 0.
    package static func balancedClassWeights(counts: [Int]) -> [Float] {
        let total = counts.reduce(0, +)
        return counts.map { $0 == 0 ? 0 : Float(total) / Float(counts.count * $0) }
    }
}

extension TrainingConfiguration {
    /// The keys as every file and the wire spell them, each with its default in the docs
    /// (docs/COORDINATOR.md, "Local training").
    package enum CodingKeys: String, CodingKey, CaseIterable {
        case epochs, optimizer, schedule, patience, seed
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case warmupFraction = "warmup_fraction"
        case gradientClipNorm = "gradient_clip_norm"
        case classWeights = "class_weights"
        case labelSmoothing = "label_smoothing"
        case proximalMu = "proximal_mu"
        case sampling
        case samplingRatio = "sampling_ratio"
        case smoteNeighbors = "smote_neighbors"
        case loss
        case focalGamma = "focal_gamma"
        case thresholdTarget = "threshold_target"
        case thresholdFalsePositiveRate = "threshold_fpr"
    }

    /// What a YAML file may hold under a training section.
    package static let shape: YAMLShape = YAMLShape.values(CodingKeys.allCases.map(\.rawValue))
        .adding(["optimizer": OptimizerConfiguration.shape])

    /// Every key is optional and falls back to its default, so a file or a round names only
    /// what it changes; a key that is not one of these is refused (a camelCase spelling is
    /// named with its snake_case form), so a typo never trains with a default instead.
    package init(from decoder: any Decoder) throws {
        self.init()
        try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? self.epochs
        self.batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? self.batchSize
        self.learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? self.learningRate
        self.optimizer = try c.decodeIfPresent(OptimizerConfiguration.self, forKey: .optimizer) ?? self.optimizer
        self.schedule = try c.decodeIfPresent(Schedule.self, forKey: .schedule) ?? self.schedule
        self.warmupFraction = try c.decodeIfPresent(Double.self, forKey: .warmupFraction) ?? self.warmupFraction
        self.gradientClipNorm = try c.decodeIfPresent(Float.self, forKey: .gradientClipNorm)
        self.patience = try c.decodeIfPresent(Int.self, forKey: .patience)
        if c.contains(.classWeights) {
            if let weights = try? c.decode([Float].self, forKey: .classWeights) {
                self.classWeights = weights
            } else {
                switch try c.decode(String.self, forKey: .classWeights) {
                case "balanced": self.balanceClasses = true
                case "none": break
                case let other:
                    throw DecodingError.dataCorruptedError(
                        forKey: .classWeights,
                        in: c,
                        debugDescription: "'\(other)' is not balanced, none or a list of one weight per class"
                    )
                }
            }
        }
        self.labelSmoothing = try c.decodeIfPresent(Float.self, forKey: .labelSmoothing) ?? self.labelSmoothing
        self.seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? self.seed
        self.proximalMu = try c.decodeIfPresent(Float.self, forKey: .proximalMu) ?? self.proximalMu
        try self.decodeImbalance(c)
        let problems = self.problems
        guard problems.isEmpty else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: problems.joined(separator: "; "))
            )
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.epochs, forKey: .epochs)
        try c.encode(self.batchSize, forKey: .batchSize)
        try c.encode(self.learningRate, forKey: .learningRate)
        try c.encode(self.optimizer, forKey: .optimizer)
        try c.encode(self.schedule, forKey: .schedule)
        try c.encode(self.warmupFraction, forKey: .warmupFraction)
        try c.encodeIfPresent(self.gradientClipNorm, forKey: .gradientClipNorm)
        try c.encodeIfPresent(self.patience, forKey: .patience)
        if let weights = self.classWeights {
            try c.encode(weights, forKey: .classWeights)
        } else if self.balanceClasses {
            try c.encode("balanced", forKey: .classWeights)
        }
        try c.encode(self.labelSmoothing, forKey: .labelSmoothing)
        try c.encode(self.seed, forKey: .seed)
        // Written only when on, so settings without FedProx read and print as before.
        if self.proximalMu != 0 { try c.encode(self.proximalMu, forKey: .proximalMu) }
        try self.encodeImbalance(&c)
    }
}
