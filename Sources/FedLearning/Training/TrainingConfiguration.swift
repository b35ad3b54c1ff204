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
    package var labelSmoothing: Float = 0
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
    private enum CodingKeys: String, CodingKey {
        case epochs, batchSize, learningRate, optimizer, schedule, warmupFraction, gradientClipNorm, patience
        case classWeights, labelSmoothing, seed
    }

    /// Decodes leniently: every field is optional and falls back to its default, so a
    /// scenario or a round's configuration names only what it changes.
    package init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? self.epochs
        self.batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? self.batchSize
        self.learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? self.learningRate
        self.optimizer = try c.decodeIfPresent(OptimizerConfiguration.self, forKey: .optimizer) ?? self.optimizer
        self.schedule = try c.decodeIfPresent(Schedule.self, forKey: .schedule) ?? self.schedule
        self.warmupFraction = try c.decodeIfPresent(Double.self, forKey: .warmupFraction) ?? self.warmupFraction
        self.gradientClipNorm = try c.decodeIfPresent(Float.self, forKey: .gradientClipNorm)
        self.patience = try c.decodeIfPresent(Int.self, forKey: .patience)
        self.classWeights = try c.decodeIfPresent([Float].self, forKey: .classWeights)
        self.labelSmoothing = try c.decodeIfPresent(Float.self, forKey: .labelSmoothing) ?? self.labelSmoothing
        self.seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? self.seed
    }
}
