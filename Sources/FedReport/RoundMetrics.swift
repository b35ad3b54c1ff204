/// The global model after one round of the federation, measured on the global test set.
///
/// Only accuracy is required: the other measures are optional so a run that does not
/// compute them (or a summary written by an older version) still charts.
package struct RoundMetrics: Codable, Sendable, Equatable {
    /// The round number, 1 for the first aggregated round.
    package var round: Int
    /// Accuracy of the global model on the global test set.
    package var accuracy: Double
    /// Mean cross-entropy of the global model on the global test set.
    package var loss: Double?
    /// Macro-averaged F1 of the global model on the global test set.
    package var macroF1: Double?
    /// Mean over the round's sites of their local training loss.
    package var meanSiteTrainLoss: Double?
    /// Bytes sent over the network during the round, both directions.
    package var bytesSent: Int?
    /// Of those, the bytes of the sites' updates (what compression shrinks).
    package var updateBytes: Int?
    /// The global model as a screening test for the positive class (ROC-AUC per round).
    package var screening: ScreeningSummary?
    /// Of `bytesSent`, the base model sent once to sites that lacked it (a one-off cost,
    /// counted apart from the per-round traffic) and the trainable tensors sent out.
    package var baseModelBytes: Int?
    package var trainableBytes: Int?
    /// Wall-clock seconds from the round's opening to its close.
    package var seconds: Double?
    /// The sites' example-weighted mean training accuracy.
    package var meanSiteTrainAccuracy: Double?
    /// The sites' example-weighted mean of the global model's accuracy on their held-out
    /// data (federated evaluation), when the sites evaluated it.
    package var sitesHeldOutAccuracy: Double?
    /// Every sampled site's part in the round, in site-name order.
    package var sites: [RoundSite]?

    package init(
        round: Int,
        accuracy: Double,
        loss: Double? = nil,
        macroF1: Double? = nil,
        meanSiteTrainLoss: Double? = nil,
        bytesSent: Int? = nil,
        updateBytes: Int? = nil,
        screening: ScreeningSummary? = nil,
        baseModelBytes: Int? = nil,
        trainableBytes: Int? = nil,
        seconds: Double? = nil,
        meanSiteTrainAccuracy: Double? = nil,
        sitesHeldOutAccuracy: Double? = nil,
        sites: [RoundSite]? = nil
    ) {
        self.baseModelBytes = baseModelBytes
        self.trainableBytes = trainableBytes
        self.seconds = seconds
        self.meanSiteTrainAccuracy = meanSiteTrainAccuracy
        self.sitesHeldOutAccuracy = sitesHeldOutAccuracy
        self.sites = sites
        self.updateBytes = updateBytes
        self.round = round
        self.accuracy = accuracy
        self.loss = loss
        self.macroF1 = macroF1
        self.meanSiteTrainLoss = meanSiteTrainLoss
        self.bytesSent = bytesSent
        self.screening = screening
    }
}

extension RoundMetrics {
    /// The round's traffic without the one-off base model: trainable tensors out and updates
    /// back; nil when the round's bytes were not counted.
    package var roundTrafficBytes: Int? {
        guard let total = self.bytesSent else { return nil }
        return total - (self.baseModelBytes ?? 0)
    }
}
