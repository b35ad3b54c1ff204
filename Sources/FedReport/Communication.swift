/// What a run's rounds moved over the wire, with the base model counted once: it is sent a
/// single time to each site that lacks it (about 90 MB for MiniLM), while the per-round
/// traffic is the trainable tensors out and the updates back, which is what grows with the
/// number of rounds and what compression shrinks.
struct Communication: Equatable {
    /// Rounds whose bytes were counted.
    var rounds: Int
    /// The base model sent to the sites, in all (0 when every site held it, or not recorded).
    var baseModel: Int
    /// Per-round traffic (trainable out + updates back), summed over the rounds.
    var roundTraffic: Int
    /// The sites' updates, summed over the rounds that recorded them, and how many did.
    var updates: Int
    var updateRounds: Int

    /// The mean per-round traffic, without the base model.
    var perRound: Int { self.rounds > 0 ? self.roundTraffic / self.rounds : 0 }

    /// nil when no round counted its bytes.
    init?(_ rounds: [RoundMetrics]) {
        let counted = rounds.filter { $0.bytesSent != nil }
        guard !counted.isEmpty else { return nil }
        self.rounds = counted.count
        self.baseModel = counted.compactMap(\.baseModelBytes).reduce(0, +)
        self.roundTraffic = counted.compactMap(\.roundTrafficBytes).reduce(0, +)
        let updates = counted.compactMap(\.updateBytes)
        self.updates = updates.reduce(0, +)
        self.updateRounds = updates.count
    }

    /// The card's sub-line: the one-off base model, the rounds' total and the uplink.
    var detail: String {
        var parts: [String] = []
        if self.baseModel > 0 { parts.append("base model once: \(ReportFormat.bytes(self.baseModel))") }
        parts.append("\(ReportFormat.bytes(self.roundTraffic)) over \(self.rounds) round\(self.rounds == 1 ? "" : "s")")
        if self.updateRounds > 0 {
            parts.append("updates from sites \(ReportFormat.bytes(self.updates / self.updateRounds))")
        }
        return parts.joined(separator: "; ")
    }
}
