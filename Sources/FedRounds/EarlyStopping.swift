/// Federation-level early stopping: the run ends once the federated validation loss (the
/// example-weighted loss the sites report for each round's global model on their held-out
/// data) has not improved for `patience` evaluated rounds, and the result is the model of
/// the round with the lowest loss, not the last one.
///
/// An improvement is a loss below the best so far by more than `minDelta`. The round being
/// trained when the decision is made still finishes (its checkpoint is kept; nothing is
/// thrown away), then the run ends. Pure: the core feeds it each round's evaluation.
package struct EarlyStopping: Sendable, Equatable {
    /// The `early_stopping` keys of coordinator.yaml and scenarios.
    package struct Settings: Sendable, Equatable, Codable {
        /// Evaluated rounds without improvement after which the run ends (1…10000).
        package var patience: Int
        /// How much lower than the best a loss must be to count as an improvement (≥ 0).
        package var minDelta: Double

        package init(patience: Int, minDelta: Double = 0) {
            self.patience = patience
            self.minDelta = minDelta
        }

        private enum CodingKeys: String, CodingKey, CaseIterable {
            case patience
            case minDelta = "min_delta"
        }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.patience = try c.decode(Int.self, forKey: .patience)
            self.minDelta = try c.decodeIfPresent(Double.self, forKey: .minDelta) ?? 0
        }

        /// The keys an `early_stopping` section may hold.
        package static let keys = CodingKeys.allCases.map(\.rawValue)

        /// What is wrong with the values, each naming its key; empty when they can run.
        package var problems: [String] {
            var problems: [String] = []
            if !(1...10_000).contains(self.patience) {
                problems.append("early_stopping.patience must be in 1...10000, found \(self.patience)")
            }
            if !(self.minDelta >= 0 && self.minDelta.isFinite) {
                problems.append("early_stopping.min_delta must be 0 or more, found \(self.minDelta)")
            }
            return problems
        }
    }

    /// What a round's record says of early stopping: the best round so far and whether the
    /// run is ending (kept in rounds.jsonl).
    package struct Record: Sendable, Equatable, Codable {
        /// The evaluated round with the lowest federated validation loss so far.
        package var bestRound: Int
        package var bestLoss: Double
        /// Evaluated rounds since the best one.
        package var roundsWithoutImprovement: Int
        package var patience: Int
        /// Set on the record of the last round once the run stops early.
        package var stopped: Bool
    }

    package let settings: Settings
    package private(set) var best: (round: Int, loss: Double)?
    package private(set) var roundsWithoutImprovement = 0
    /// The round whose evaluation ended the run, once it has.
    package private(set) var stoppedAfter: Int?
    /// The last round judged: each round counts once, in order.
    private var judged = 0

    package init(settings: Settings) {
        self.settings = settings
    }

    /// What one round's evaluation means.
    package enum Verdict: Sendable, Equatable {
        /// The loss is the best so far: this round's model is the result until another beats it.
        case improved
        case noImprovement
        /// No improvement for `patience` rounds: the run ends.
        case stop
        /// Nothing to judge (no loss reported, a round already judged, or already stopped).
        case ignored
    }

    /// Judges the federated validation `loss` of `round`'s model.
    package mutating func observe(round: Int, loss: Double?) -> Verdict {
        guard self.stoppedAfter == nil, round > self.judged, let loss, loss.isFinite else { return .ignored }
        self.judged = round
        guard let best = self.best else {
            self.best = (round, loss)
            return .improved
        }
        if loss < best.loss - self.settings.minDelta {
            self.best = (round, loss)
            self.roundsWithoutImprovement = 0
            return .improved
        }
        self.roundsWithoutImprovement += 1
        if self.roundsWithoutImprovement >= self.settings.patience {
            self.stoppedAfter = round
            return .stop
        }
        return .noImprovement
    }

    /// The state after `evaluations` (a restart rebuilds it from evaluations.jsonl).
    package init(settings: Settings, evaluations: [EvaluationRecord]) {
        self.init(settings: settings)
        for record in evaluations.sorted(by: { $0.round < $1.round }) {
            _ = self.observe(round: record.round, loss: record.metrics["loss"])
        }
    }

    /// The record for a round closing now.
    package var record: Record? {
        self.best.map {
            Record(
                bestRound: $0.round, bestLoss: $0.loss, roundsWithoutImprovement: self.roundsWithoutImprovement,
                patience: self.settings.patience, stopped: self.stoppedAfter != nil)
        }
    }

    package static func == (lhs: EarlyStopping, rhs: EarlyStopping) -> Bool {
        lhs.settings == rhs.settings && lhs.best?.round == rhs.best?.round && lhs.best?.loss == rhs.best?.loss
            && lhs.roundsWithoutImprovement == rhs.roundsWithoutImprovement && lhs.stoppedAfter == rhs.stoppedAfter
            && lhs.judged == rhs.judged
    }
}
