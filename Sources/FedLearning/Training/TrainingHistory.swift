/// What happened in one epoch of training.
package struct EpochRecord: Sendable, Codable, Equatable {
    package var epoch: Int
    package var trainLoss: Float
    package var trainAccuracy: Double
    package var validationLoss: Float?
    package var validationAccuracy: Double?
    package var learningRate: Float
    package var seconds: Double
}

/// The record of a training run: every epoch, and which one's weights were kept.
package struct TrainingHistory: Sendable, Codable, Equatable {
    package var epochs: [EpochRecord] = []
    /// The epoch whose weights the model holds at the end (1-based).
    package var bestEpoch: Int = 0
    package var stoppedEarly = false
    /// A two-class model's decision threshold chosen on the validation split for the settings'
    /// `threshold_target` (nil without one, or without validation data).
    package var decisionThreshold: Double?
    /// Number of examples trained on per epoch.
    package var examples: Int = 0

    package init(examples: Int = 0) {
        self.examples = examples
    }

    package var finalTrainLoss: Float { self.epochs.last?.trainLoss ?? .nan }
}
