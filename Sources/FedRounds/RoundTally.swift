/// What the open round has gathered besides the running sum: each folded site's example
/// count, metrics and clip factor, and the bytes moved. The record is made in site-name
/// order, so it does not depend on the order the updates arrived in.
struct RoundTally: Sendable {
    var started: Double = 0
    var bytes = RoundBytes()
    /// Site → the example count it claimed, when that was cut to its bound.
    var capped: [String: Int] = [:]
    private var folded: [String: (examples: Int, metrics: [String: Double], scale: Float)] = [:]
    /// Sites whose clip factor the coordinator cannot know (their update came masked).
    private var unseen: Set<String> = []

    init(started: Double = 0) {
        self.started = started
    }

    mutating func add(site: String, update: FederationCore.Update, scale: Float) {
        self.add(site: site, examples: update.examples, metrics: update.metrics, bytes: update.bytes, scale: scale)
    }

    /// A site's part when its update itself is not seen (secure aggregation: the site clipped it).
    mutating func add(site: String, examples: Int, metrics: [String: Double], bytes: Int, scale: Float?) {
        self.folded[site] = (examples, metrics, scale ?? 1)
        if scale == nil { self.unseen.insert(site) }
        self.bytes.updates += bytes
    }

    /// The round's line of rounds.jsonl; the shell fills in the checkpoint's digest.
    func record(round: Int, reported: [String], failures: [String: String], now: Double) -> RoundRecord {
        let sites = reported.filter { self.folded[$0] != nil }
        let (examples, metrics) = WeightedMetrics.mean(
            sites.map { (self.folded[$0]!.examples, self.folded[$0]!.metrics) }
        )
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
            capped: self.capped.isEmpty ? nil : self.capped.filter { self.folded[$0.key] != nil }
        )
    }
}
