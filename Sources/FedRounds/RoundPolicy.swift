/// The rules of a federation's rounds, as the coordinator's configuration states them.
package struct RoundPolicy: Sendable, Equatable, Codable {
    /// Rounds to run in total.
    package var rounds: Int
    /// Connected sites needed before a round starts.
    package var minSites: Int
    package var sampleSize: SampleSize = .all
    /// Reports needed to close a round at its deadline (fewer means the round failed).
    package var quorum: Int
    /// Seconds a round may stay open.
    package var deadlineSeconds: Double
    /// How often a failed round is tried again before the run stops.
    package var maxRetries: Int = 2
    /// Seeds site sampling.
    package var seed: UInt64 = 0
    /// A round that samples fewer sites than this samples none (secure aggregation needs 3:
    /// with two, each site learns the other's update from the sum).
    package var minimumSample = 1

    package init(rounds: Int, minSites: Int, quorum: Int? = nil, deadlineSeconds: Double = 600) {
        self.rounds = rounds
        self.minSites = minSites
        self.quorum = quorum ?? minSites
        self.deadlineSeconds = deadlineSeconds
    }
}
