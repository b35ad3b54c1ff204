/// One line of rounds.jsonl: what a finished round was made of.
package struct RoundRecord: Sendable, Codable, Equatable {
    package var round: Int
    package var sites: [String]
    package var examples: Int
    /// Example-weighted mean of the sites' training metrics.
    package var trainMetrics: [String: Double]
    /// Site → reason, for sites selected but not counted (rejected, late, gone).
    package var failures: [String: String]
    /// Site → clipping factor applied to its update (1 when not clipped).
    package var clipScales: [String: Double]
    /// SHA-256 of the checkpoint blob (filled in by whoever writes the checkpoint).
    package var digest: String
    package var seconds: Double
    /// Blob bytes this round moved (absent in records written before it was counted).
    package var bytes: RoundBytes?
    /// Site → example count of its update, for the sites counted.
    package var siteExamples: [String: Int]?
    /// Site → the training metrics it sent with its update (`loss`, `accuracy`, …), for the
    /// sites counted: what per-site curves are drawn from (absent in older records).
    package var siteMetrics: [String: [String: Double]]?
    /// Site → L2 norm of its update as the coordinator received it, before clipping; absent
    /// for masked updates (secure aggregation) and in older records.
    package var updateNorms: [String: Double]?
    /// Updates turned away while the round was open that are not a failure of a selected
    /// site (late, early, from a site not selected, a second one).
    package var refused: [Refusal]?
    /// Site → the reason it gave (a `failure` message) when it stopped since the last
    /// round closed, selected or not; a site that fails fast on its data is named here.
    package var stopped: [String: String]?
    /// Site → the example count it claimed, for sites whose count was cut to the bound
    /// (`max_examples_per_site`, or what it announced when it joined); absent when none was.
    package var capped: [String: Int]?
    /// Differential privacy's numbers for the round (noise, clip norm, ε so far); absent
    /// without `privacy`.
    package var privacy: RoundPrivacy?
    /// What a robust rule did (which updates Krum kept, or why the model stayed as it was);
    /// absent under FedAvg's mean.
    package var aggregation: RoundAggregation?
    /// Early stopping's state when the round closed (the best evaluated round so far, and
    /// `stopped` on the last round of a run it ended); absent without `early_stopping`.
    package var earlyStopping: EarlyStopping.Record?

    /// An update turned away, and why.
    package struct Refusal: Sendable, Codable, Equatable {
        package var site: String
        package var round: Int
        package var reason: String

        package init(site: String, round: Int, reason: String) {
            self.site = site
            self.round = round
            self.reason = reason
        }
    }

    package init(
        round: Int,
        sites: [String],
        examples: Int,
        trainMetrics: [String: Double],
        failures: [String: String],
        clipScales: [String: Double],
        digest: String,
        seconds: Double,
        bytes: RoundBytes? = nil,
        siteExamples: [String: Int]? = nil,
        siteMetrics: [String: [String: Double]]? = nil,
        updateNorms: [String: Double]? = nil,
        refused: [Refusal]? = nil,
        capped: [String: Int]? = nil
    ) {
        self.capped = capped
        self.bytes = bytes
        self.siteExamples = siteExamples
        self.siteMetrics = siteMetrics
        self.updateNorms = updateNorms
        self.refused = refused
        self.round = round
        self.sites = sites
        self.examples = examples
        self.trainMetrics = trainMetrics
        self.failures = failures
        self.clipScales = clipScales
        self.digest = digest
        self.seconds = seconds
    }
}
