import ArgumentParser
import FedLearning

/// `fedtune train`'s flags for a rare class: re-sampling the training split, the focal loss
/// and the decision threshold chosen on validation data (the `local` keys of the same names).
struct ImbalanceOptions: ParsableArguments {
    @Option(help: "Re-sample the training split: none, oversample, undersample or smote.")
    var sampling: TrainingConfiguration.Sampling = .none
    @Option(name: .customLong("sampling-ratio"), help: "Class size re-sampling aims for, as a ratio to the largest.")
    var samplingRatio: Double = 1
    @Option(name: .customLong("smote-neighbors"), help: "SMOTE: nearest neighbours of the same class to interpolate with.")
    var smoteNeighbors: Int = 5
    @Option(help: "Loss: cross_entropy or focal (class weights are its α).")
    var loss: TrainingConfiguration.LossKind = .crossEntropy
    @Option(name: .customLong("focal-gamma"), help: "γ of the focal loss.") var focalGamma: Float = 2
    @Option(
        name: .customLong("threshold-target"),
        help: "Two-class models: choose the decision threshold on validation data for none, best_f1 or recall_at_fpr.")
    var thresholdTarget: TrainingConfiguration.ThresholdChoice = .none
    @Option(name: .customLong("threshold-fpr"), help: "The false-positive rate recall_at_fpr allows.")
    var thresholdFPR: Double = 0.01

    /// Sets these keys in `training`; their ranges are checked where training starts.
    func apply(to training: inout TrainingConfiguration) {
        training.sampling = self.sampling
        training.samplingRatio = self.samplingRatio
        training.smoteNeighbors = self.smoteNeighbors
        training.loss = self.loss
        training.focalGamma = self.focalGamma
        training.thresholdTarget = self.thresholdTarget
        training.thresholdFalsePositiveRate = self.thresholdFPR
    }
}

extension TrainingConfiguration.Sampling: ExpressibleByArgument {}
extension TrainingConfiguration.LossKind: ExpressibleByArgument {}
extension TrainingConfiguration.ThresholdChoice: ExpressibleByArgument {}
