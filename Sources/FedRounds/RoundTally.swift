import FedTensor
import OrderedCollections

/// What the open round has gathered besides the running sum: each folded site's example
/// count, metrics, clip factor and update norm, and the bytes moved. The record is made in
/// site-name order, so it does not depend on the order the updates arrived in.
struct RoundTally: Sendable {
    /// One folded site's part.
    private struct Part: Sendable {
        var examples: Int
        var metrics: [String: Double]
        var scale: Float
        /// L2 norm of the update before clipping; nil when the update came masked.
        var norm: Double?
    }

    var started: Double = 0
    var bytes = RoundBytes()
    /// Site → the example count it claimed, when that was cut to its bound.
    var capped: [String: Int] = [:]
    private var folded: [String: Part] = [:]
    /// Sites whose clip factor the coordinator cannot know (their update came masked).
    private var unseen: Set<String> = []

    init(started: Double = 0) {
        self.started = started
    }

    mutating func add(site: String, update: FederationCore.Update, scale: Float) {
        // The update was validated as it was folded, so every value is finite here.
        let squared = update.tensors.values.reduce(0.0) { $0 + ($1.finiteSquaredNorm() ?? .nan) }
        self.add(
            site: site, examples: update.examples, metrics: update.metrics, bytes: update.bytes, scale: scale,
            norm: squared.squareRoot())
    }

    /// A site's part when its update itself is not seen (secure aggregation: the site clipped it).
    mutating func add(
        site: String, examples: Int, metrics: [String: Double], bytes: Int, scale: Float?, norm: Double? = nil
    ) {
        self.folded[site] = Part(examples: examples, metrics: metrics, scale: scale ?? 1, norm: norm)
        if scale == nil { self.unseen.insert(site) }
        self.bytes.updates += bytes
    }

    /// The round's line of rounds.jsonl; the shell fills in the checkpoint's digest.
    func record(round: Int, reported: [String], failures: [String: String], now: Double) -> RoundRecord {
        let sites = reported.filter { self.folded[$0] != nil }
        let (examples, metrics) = WeightedMetrics.mean(
            sites.map { (self.folded[$0]!.examples, self.folded[$0]!.metrics) }
        )
        let norms = self.folded.compactMapValues(\.norm).filter(\.value.isFinite)
        // A site's wall-clock `seconds` is left out, so a round's line stays the same whichever
        // shell ran it (the record's own `seconds` is the one timing).
        let siteMetrics = self.folded.mapValues { $0.metrics.filter { $0.key != "seconds" && $0.value.isFinite } }
        return RoundRecord(
            round: round,
            sites: sites,
            examples: examples,
            trainMetrics: metrics,
            failures: failures,
            clipScales: self.folded.filter { !self.unseen.contains($0.key) }.mapValues { Double($0.scale) },
            digest: "",
            seconds: now - self.started,
            bytes: self.bytes,
            siteExamples: self.folded.mapValues(\.examples),
            siteMetrics: siteMetrics.isEmpty ? nil : siteMetrics,
            updateNorms: norms.isEmpty ? nil : norms,
            capped: self.capped.isEmpty ? nil : self.capped.filter { self.folded[$0.key] != nil }
        )
    }
}
