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

    package init(
        round: Int,
        accuracy: Double,
        loss: Double? = nil,
        macroF1: Double? = nil,
        meanSiteTrainLoss: Double? = nil,
        bytesSent: Int? = nil,
        updateBytes: Int? = nil,
        screening: ScreeningSummary? = nil
    ) {
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
