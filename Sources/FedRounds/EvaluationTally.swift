/// Federated evaluation of one round's global model: which sites were asked, and what each
/// reported on its held-out data. Sums are taken in site-name order when the record is made,
/// so the record does not depend on the order replies arrived in.
struct EvaluationTally: Sendable {
    var round: Int
    var asked: Set<String>
    private var replies: [String: (examples: Int, metrics: [String: Double])] = [:]

    init(round: Int, asked: Set<String>) {
        self.round = round
        self.asked = asked
    }

    var isComplete: Bool { self.asked.allSatisfy { self.replies[$0] != nil } }

    /// Sites asked that have not replied yet.
    var pending: Set<String> { self.asked.filter { self.replies[$0] == nil } }

    /// Counts a site's reply; a reply with no examples (a site without held-out data) or an
    /// absurd count completes the site's part without weighing in.
    mutating func add(site: String, examples: Int, metrics: [String: Double]) {
        guard self.asked.contains(site), self.replies[site] == nil else { return }
        let counted = examples > 0 && examples <= UpdateValidator.maximumExamples
        self.replies[site] = (counted ? examples : 0, metrics)
    }

    /// One line of evaluations.jsonl, or nil when no site had examples to score.
    var record: EvaluationRecord? {
        let sites = self.replies.keys.sorted()
        let (examples, metrics) = WeightedMetrics.mean(sites.map { self.replies[$0]! })
        guard examples > 0 else { return nil }
        return EvaluationRecord(round: self.round, sites: sites, examples: examples, metrics: metrics)
    }
}

/// One line of evaluations.jsonl: the global model of a round scored by the sites on
/// their own held-out splits, weighted by their example counts.
package struct EvaluationRecord: Sendable, Codable, Equatable {
    package var round: Int
    package var sites: [String]
    package var examples: Int
    package var metrics: [String: Double]

    package init(round: Int, sites: [String], examples: Int, metrics: [String: Double]) {
        self.round = round
        self.sites = sites
        self.examples = examples
        self.metrics = metrics
    }
}

/// Example-weighted means of the metrics sites report.
enum WeightedMetrics {
    /// The total example count and, per metric, Σ nₖ·mₖ / Σ nₖ over the sites that report it
    /// (a metric a site leaves out is not counted as 0 for it). Non-finite values are
    /// skipped so that one site's numbers cannot make a record unwritable.
    static func mean(_ reports: [(examples: Int, metrics: [String: Double])]) -> (Int, [String: Double]) {
        var sums: [String: (value: Double, weight: Double)] = [:]
        var examples = 0
        for report in reports {
            examples += report.examples
            for (name, value) in report.metrics.sorted(by: { $0.key < $1.key }) {
                let weighted = value * Double(report.examples)
                guard weighted.isFinite, report.examples > 0 else { continue }
                sums[name, default: (0, 0)].value += weighted
                sums[name, default: (0, 0)].weight += Double(report.examples)
            }
        }
        return (examples, sums.mapValues { $0.value / $0.weight })
    }
}
