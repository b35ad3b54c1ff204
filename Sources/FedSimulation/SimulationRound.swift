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
}
