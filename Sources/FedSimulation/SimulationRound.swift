import FedLearning
import FedRounds

/// One finished round of a simulated federation: the coordinator's record of it (the same
/// line rounds.jsonl holds), how the new global model scores on the global test set, and
/// each site's own training numbers where the simulation could see them.
package struct SimulationRound: Sendable, Equatable {
    /// One site's part in the round.
    package struct SiteResult: Sendable, Codable, Equatable {
        package var site: String
        package var examples: Int
        /// The site's last local epoch; nil when the site kept them to itself (a site
        /// process reports only to the coordinator, which records their weighted mean).
        package var trainLoss: Double?
        package var trainAccuracy: Double?
    }

    package var record: RoundRecord
    package var testAccuracy: Double
    package var testLoss: Double
    package var testMacroF1: Double
    /// The global model as a screening test for the scenario's positive class; nil when it names none.
    package var testScreening: ScreeningMetrics?
    package var siteResults: [SiteResult]
    /// Site → the round's global model on that site's held-out data (the simulation scores
    /// it, as it holds every site's data); empty when no site holds any out.
    package var siteHeldOut: [String: HeldOutScore] = [:]

    /// A model's accuracy and loss on one site's held-out examples.
    package struct HeldOutScore: Sendable, Codable, Equatable {
        package var accuracy: Double
        package var loss: Double?
        package var examples: Int
    }

    package var round: Int { self.record.round }
    /// Number of sites whose update was folded in.
    package var sites: Int { self.record.sites.count }
    package var examples: Int { self.record.examples }
    /// Example-weighted mean of the sites' training loss and accuracy.
    package var trainLoss: Double { self.record.trainMetrics["loss"] ?? .nan }
    package var trainAccuracy: Double? { self.record.trainMetrics["accuracy"] }
    package var seconds: Double { self.record.seconds }
    /// Blob bytes the round moved over the wire, both ways: the base model to sites that
    /// lack it, the trainable tensors out and the updates back (counted by the core, with
    /// site processes and in process alike).
    package var bytes: Int? { self.record.bytes.map { $0.baseModel + $0.trainable + $0.updates } }

    /// A site's training metric as it sent it with its update (the record keeps it, with
    /// site processes too), else as the simulation saw it in process.
    package func trainMetric(_ name: String, of site: String) -> Double? {
        if let value = self.record.siteMetrics?[site]?[name] { return value }
        let result = self.siteResults.first { $0.site == site }
        return name == "loss" ? result?.trainLoss : name == "accuracy" ? result?.trainAccuracy : nil
    }
}
