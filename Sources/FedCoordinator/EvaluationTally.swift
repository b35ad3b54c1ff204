/// Federated evaluation of one round's global model: which sites were asked, and the
/// example-weighted sums of the metrics they report on their held-out data.
struct EvaluationTally: Sendable {
    var round: Int
    var asked: Set<String>
    var replied: [String] = []
    var examples = 0
    var metricSums: [String: Double] = [:]

    var isComplete: Bool { Set(self.replied).isSuperset(of: self.asked) }

    /// Counts a site's reply; a reply with no examples (a site without held-out data) or an
    /// absurd count completes the site's part without weighing in.
    mutating func add(site: String, examples: Int, metrics: [String: Double]) {
        guard self.asked.contains(site), !self.replied.contains(site) else { return }
        self.replied.append(site)
        guard examples > 0, examples <= 1 << 31 else { return }
        self.examples += examples
        for (name, value) in metrics {
            let weighted = value * Double(examples)
            if weighted.isFinite { self.metricSums[name, default: 0] += weighted }
        }
    }

    /// One line of evaluations.jsonl.
    var record: EvaluationRecord {
        EvaluationRecord(
            round: self.round, sites: self.replied.sorted(), examples: self.examples,
            metrics: self.metricSums.mapValues { $0 / Double(Swift.max(self.examples, 1)) })
    }
}

/// One line of evaluations.jsonl: the global model of a round scored by the sites on
/// their own held-out splits, weighted by their example counts.
package struct EvaluationRecord: Sendable, Codable, Equatable {
    package var round: Int
    package var sites: [String]
    package var examples: Int
    package var metrics: [String: Double]
}
