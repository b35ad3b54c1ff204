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

    package init(
        round: Int,
        sites: [String],
        examples: Int,
        trainMetrics: [String: Double],
        failures: [String: String],
        clipScales: [String: Double],
        digest: String,
        seconds: Double,
        bytes: RoundBytes? = nil
    ) {
        self.bytes = bytes
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
