import FedSupport
import FedTensor
import OrderedCollections

/// What a robust rule did in a round, kept in its record.
package struct RoundAggregation: Sendable, Codable, Equatable {
    /// The rule, in words ("Krum with f = 2").
    package var rule: String
    /// Sites whose update Krum or Multi-Krum kept.
    package var selected: [String]?
    /// One sentence on what the rule did, or why the round left the model as it was.
    package var note: String?
    /// Set when the rule could not aggregate (too few updates): the global model is unchanged.
    package var skipped: Bool?
}

/// Robust aggregation in the federation core: with `settings.robust`, each accepted update is
/// validated, clipped, flattened in the spec's order and appended to the round's
/// `UpdateStore` (a memory-mapped file in the coordinator's state folder) with its example
/// count; when the round closes the rule reads every row, its result moves the global model
/// through the server optimizer, and the store is removed. A rule that needs more updates
/// than the round has leaves the model as it was and says so in the record.
extension FederationCore {
    /// The open round's updates, kept for a robust rule.
    struct RobustRound: Sendable {
        var store: any UpdateStore
        var sites: [String] = []
        var weights: [Double] = []
    }

    /// Opens the round's store; nil (and a stop) when it cannot be made.
    mutating func openRobustRound(_ round: Int) -> String? {
        self.robustRound?.store.remove()
        self.robustRound = nil
        guard self.settings.robust != nil else { return nil }
        do {
            self.robustRound = RobustRound(store: try self.makeUpdateStore(round, self.spec.scalarCount))
            return nil
        } catch {
            return "the updates of round \(round) cannot be kept for robust aggregation: \(error)"
        }
    }

    /// Validates, clips and stores one update; the clip factor it got.
    mutating func storeRobust(_ update: Update, from site: String) throws -> Float {
        let norm = try UpdateValidator.squaredNorm(of: update.tensors, spec: self.spec, examples: update.examples)
            .squareRoot()
        let clip = self.settings.clipNorm.map(Double.init)
        let scale: Float = clip.map { norm > $0 ? Float($0 / norm) : 1 } ?? 1
        var flat: [Float] = []
        flat.reserveCapacity(self.spec.scalarCount)
        for entry in self.spec.entries {
            let values = update.tensors[entry.name]!.scalars
            flat += scale == 1 ? values : values.map { $0 * scale }
        }
        guard var round = self.robustRound else { return scale }
        try round.store.append(flat)
        round.sites.append(site)
        round.weights.append(Double(update.examples))
        self.robustRound = round
        return scale
    }

    /// The rule's result applied to the global model; what it did, for the record.
    mutating func closeRobustRound() -> RoundAggregation? {
        guard let rule = self.settings.robust, let round = self.robustRound else { return nil }
        defer {
            round.store.remove()
            self.robustRound = nil
        }
        var record = RoundAggregation(rule: rule.name)
        guard !round.sites.isEmpty else {
            record.note = "no update came in"
            record.skipped = true
            return record
        }
        do {
            let result = try round.store.withRows { rows in
                try RobustAggregation.aggregate(rows, weights: round.weights, rule: rule)
            }
            var average: OrderedDictionary<String, Tensor> = [:]
            var offset = 0
            for entry in self.spec.entries {
                let count = entry.shape.reduce(1, *)
                average[entry.name] = Tensor(shape: entry.shape, scalars: Array(result.average[offset..<(offset + count)]))
                offset += count
            }
            self.optimizer.apply(average, to: &self.global)
            record.selected = result.selected.map { $0.map { round.sites[$0] }.sorted() }
            record.note = result.note
        } catch {
            record.note = "\(error); the global model is unchanged"
            record.skipped = true
        }
        return record
    }
}
