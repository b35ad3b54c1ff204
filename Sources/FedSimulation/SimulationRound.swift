/// One finished round of a simulated federation: what the sites trained on and how the
/// new global model scores on the global test set.
package struct SimulationRound: Sendable, Codable, Equatable {
    /// One site's part in the round.
    package struct SiteResult: Sendable, Codable, Equatable {
        package var site: String
        package var examples: Int
        /// The site's last local epoch; nil when the site kept them to itself (a site
        /// process reports only to the coordinator, which records their weighted mean).
        package var trainLoss: Double?
        package var trainAccuracy: Double?
    }

    package var round: Int
    /// Number of sites whose update was folded in.
    package var sites: Int
    package var examples: Int
    /// Example-weighted mean of the sites' training loss and accuracy.
    package var trainLoss: Double
    package var trainAccuracy: Double?
    package var testAccuracy: Double
    package var testLoss: Double
    package var testMacroF1: Double
    package var seconds: Double
    /// Blob bytes the round moves over the wire, both ways: the base model to sites that
    /// lack it, the trainable tensors out and the updates back (counted by the coordinator
    /// with site processes; what the same messages would carry in process).
    package var bytes: Int?
    package var siteResults: [SiteResult]
}
