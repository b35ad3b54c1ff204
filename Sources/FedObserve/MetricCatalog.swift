/// Every metric fedtune exports, in one table: its Prometheus name, type, help text, labels
/// and histogram buckets. The factory reads help and buckets from here, docs/COORDINATOR.md
/// lists the same rows, and a test checks that each row shows up in a scrape.
package struct MetricDescription: Sendable, Equatable {
    /// What Prometheus's `# TYPE` line says.
    package enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    package var name: String
    package var kind: Kind
    package var help: String
    /// Label names (the values are bounded sets, never site data).
    package var labels: [String] = []
    /// Upper bounds of a histogram's buckets.
    package var buckets: [Double] = []
}

/// The coordinator's and a site's metrics.
package enum MetricCatalog {
    package static let roundsFinished = MetricDescription(
        name: "fedtune_rounds_finished_total", kind: .counter,
        help: "Rounds closed and checkpointed by this coordinator process.")
    package static let lastRound = MetricDescription(
        name: "fedtune_round_completed", kind: .gauge,
        help: "The last finished round, counting rounds finished before a restart.")
    package static let roundSeconds = MetricDescription(
        name: "fedtune_round_duration_seconds", kind: .histogram,
        help: "Seconds from a round's start to its close (its record's seconds).",
        buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 14400])
    package static let roundsRetried = MetricDescription(
        name: "fedtune_rounds_retried_total", kind: .counter,
        help: "Round attempts that closed without a quorum and were retried.")
    package static let sitesConnected = MetricDescription(
        name: "fedtune_sites_connected", kind: .gauge, help: "Sites connected now.")
    package static let sitesSampled = MetricDescription(
        name: "fedtune_sites_sampled", kind: .gauge, help: "Sites asked to train in the round started last.")
    package static let sitesSampledTotal = MetricDescription(
        name: "fedtune_sites_sampled_total", kind: .counter,
        help: "Train requests sent, one per sampled site and round attempt.")
    package static let siteReports = MetricDescription(
        name: "fedtune_site_reports_total", kind: .counter,
        help: "Site updates counted in a closed round.")
    package static let siteFailures = MetricDescription(
        name: "fedtune_site_failures_total", kind: .counter,
        help: "Sampled sites not counted in a closed round, by reason.",
        labels: ["reason"])
    package static let updatesRejected = MetricDescription(
        name: "fedtune_updates_rejected_total", kind: .counter,
        help: "Updates refused as invalid (answered with a failure).")
    package static let bytesIn = MetricDescription(
        name: "fedtune_bytes_in_total", kind: .counter,
        help: "Update bytes received from sites in closed rounds.")
    package static let bytesOut = MetricDescription(
        name: "fedtune_bytes_out_total", kind: .counter,
        help: "Model bytes sent to sites in closed rounds, by kind (base_model, trainable).",
        labels: ["kind"])
    package static let updateNorm = MetricDescription(
        name: "fedtune_update_norm", kind: .histogram,
        help: "L2 norm of each plain update as received, before clipping.",
        buckets: [0.001, 0.01, 0.1, 0.5, 1, 2, 5, 10, 50, 100, 1000])
    package static let clipFactor = MetricDescription(
        name: "fedtune_update_clip_factor", kind: .histogram,
        help: "Factor each counted update was scaled by to meet the clip norm (1: not clipped).",
        buckets: [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1])
    package static let epsilon = MetricDescription(
        name: "fedtune_privacy_epsilon", kind: .gauge,
        help: "Differential privacy: epsilon spent so far at the plan's delta (only with privacy).")
    package static let checkpointSeconds = MetricDescription(
        name: "fedtune_checkpoint_write_seconds", kind: .histogram,
        help: "Seconds to write a round's checkpoint and record.",
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30])

    package static let siteTrainingSeconds = MetricDescription(
        name: "fedtune_site_training_seconds", kind: .histogram,
        help: "Seconds this site spent training locally per round.",
        buckets: [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600])
    package static let siteExamples = MetricDescription(
        name: "fedtune_site_examples_total", kind: .counter,
        help: "Examples this site's updates were trained on, summed over rounds.")
    package static let siteRounds = MetricDescription(
        name: "fedtune_site_rounds_trained_total", kind: .counter,
        help: "Rounds this site trained and sent an update for.")

    /// What a coordinator exports (ε only under privacy).
    package static let coordinator: [MetricDescription] = [
        roundsFinished, lastRound, roundSeconds, roundsRetried, sitesConnected, sitesSampled, sitesSampledTotal,
        siteReports, siteFailures, updatesRejected, bytesIn, bytesOut, updateNorm, clipFactor, epsilon,
        checkpointSeconds,
    ]

    /// What a site exports (`fedtune client --metrics`).
    package static let site: [MetricDescription] = [siteTrainingSeconds, siteExamples, siteRounds]

    /// The row for a name, from either list.
    package static func named(_ name: String) -> MetricDescription? {
        (self.coordinator + self.site).first { $0.name == name }
    }
}
