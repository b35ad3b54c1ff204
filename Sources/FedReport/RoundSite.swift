/// One sampled site's part in one round, as the report draws it per site: what it trained
/// on and reached, how large its update was and how much clipping shrank it, how the new
/// global model did on its held-out data, or why it failed.
package struct RoundSite: Codable, Sendable, Equatable {
    package var name: String
    /// False for a site that was sampled but not counted (`failure` says why).
    package var reported: Bool
    /// Why the site was not counted: rejected, late, gone.
    package var failure: String?
    /// Examples its update weighed.
    package var examples: Int?
    /// Its last local epoch's training loss and accuracy, as it reported them.
    package var trainLoss: Double?
    package var trainAccuracy: Double?
    /// L2 norm of its update before clipping (nil for masked updates).
    package var updateNorm: Double?
    /// The factor clipping scaled its update by (1: not clipped).
    package var clipScale: Double?
    /// The round's new global model on this site's held-out data.
    package var heldOutAccuracy: Double?
    package var heldOutLoss: Double?

    package init(
        name: String,
        reported: Bool,
        failure: String? = nil,
        examples: Int? = nil,
        trainLoss: Double? = nil,
        trainAccuracy: Double? = nil,
        updateNorm: Double? = nil,
        clipScale: Double? = nil,
        heldOutAccuracy: Double? = nil,
        heldOutLoss: Double? = nil
    ) {
        self.name = name
        self.reported = reported
        self.failure = failure
        self.examples = examples
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.updateNorm = updateNorm
        self.clipScale = clipScale
        self.heldOutAccuracy = heldOutAccuracy
        self.heldOutLoss = heldOutLoss
    }
}
