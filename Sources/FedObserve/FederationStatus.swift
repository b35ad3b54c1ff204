import FedRounds
import Foundation

/// What `/status.json` serves and `fedtune status` prints: the federation's phase and round,
/// its sites by name and state, and per finished round its counts, bytes, accuracy and ε.
/// Names and counts only: never a site's data, a tensor or a key.
package struct FederationStatus: Codable, Sendable, Equatable {
    /// Where a site stands in the open round.
    package enum SiteState: String, Codable, Sendable, CaseIterable {
        /// Connected, and not asked to train in the open round.
        case connected
        /// Asked to train in the open round; no update yet.
        case training
        /// Its update for the open round (or the last closed one) was counted.
        case reported
        /// Sampled but not counted: rejected, gone, or out of time.
        case failed
    }

    /// One site by name.
    package struct Site: Codable, Sendable, Equatable {
        package var name: String
        package var state: SiteState

        package init(name: String, state: SiteState) {
            self.name = name
            self.state = state
        }
    }

    /// One finished round, from its line in rounds.jsonl (and evaluations.jsonl).
    package struct Round: Codable, Sendable, Equatable {
        package var round: Int
        /// Sites whose update was counted.
        package var reported: Int
        package var failed: Int
        package var examples: Int
        package var seconds: Double
        /// Update bytes received.
        package var bytesIn: Int
        /// Base model and trainable bytes sent.
        package var bytesOut: Int
        /// The federated evaluation's accuracy of the round's global model, once it is in.
        package var accuracy: Double?
        /// ε spent by the end of the round, under differential privacy.
        package var epsilon: Double?

        package init(
            round: Int, reported: Int, failed: Int, examples: Int, seconds: Double, bytesIn: Int, bytesOut: Int,
            accuracy: Double? = nil, epsilon: Double? = nil
        ) {
            self.round = round
            self.reported = reported
            self.failed = failed
            self.examples = examples
            self.seconds = seconds
            self.bytesIn = bytesIn
            self.bytesOut = bytesOut
            self.accuracy = accuracy
            self.epsilon = epsilon
        }
    }

    /// "coordinator" (live, from `/status.json`) or "state folder" (from its files).
    package var source: String
    /// waiting_for_sites, training, saving, evaluating, finished, stopped, or unknown (a folder).
    package var phase: String
    /// The open round, while one is.
    package var round: Int?
    package var completedRounds: Int
    /// Rounds coordinator.yaml asks for (unknown from a state folder).
    package var plannedRounds: Int?
    /// Connected sites needed to start a round.
    package var minSites: Int?
    package var sites: [Site]
    /// The most recent finished rounds, oldest first (at most `historyLimit`).
    package var rounds: [Round]
    /// ε spent so far, its δ and the budget, under differential privacy.
    package var epsilon: Double?
    package var delta: Double?
    package var targetEpsilon: Double?

    /// Rounds kept in a status: a week of ten-minute rounds, a bounded answer.
    package static let historyLimit = 1000

    package init(
        source: String, phase: String, round: Int? = nil, completedRounds: Int, plannedRounds: Int? = nil,
        minSites: Int? = nil, sites: [Site] = [], rounds: [Round] = []
    ) {
        self.source = source
        self.phase = phase
        self.round = round
        self.completedRounds = completedRounds
        self.plannedRounds = plannedRounds
        self.minSites = minSites
        self.sites = sites
        self.rounds = rounds
    }

    /// The JSON `/status.json` serves: snake_case keys, sorted.
    package func json() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        // Plain numbers and strings; non-finite values are left out before this.
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
    }

    /// Reads what `json()` wrote.
    package static func decode(_ bytes: [UInt8]) throws -> FederationStatus {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(FederationStatus.self, from: Data(bytes))
    }

    /// Sites connected now.
    package var connected: Int { self.sites.count }
}

extension FederationStatus.Round {
    /// A round's numbers from its record; `evaluation` adds the accuracy.
    package init(_ record: RoundRecord, evaluation: EvaluationRecord?) {
        self.init(
            round: record.round,
            reported: record.sites.count,
            failed: record.failures.count,
            examples: record.examples,
            seconds: record.seconds.isFinite ? record.seconds : 0,
            bytesIn: record.bytes?.updates ?? 0,
            bytesOut: (record.bytes?.baseModel ?? 0) + (record.bytes?.trainable ?? 0),
            accuracy: evaluation?.metrics["accuracy"].flatMap { $0.isFinite ? $0 : nil },
            epsilon: record.privacy.flatMap { $0.epsilon.isFinite ? $0.epsilon : nil }
        )
    }

    /// The last `limit` rounds of a history, each with its evaluation when there is one.
    package static func history(
        _ records: [RoundRecord], evaluations: [EvaluationRecord], limit: Int = FederationStatus.historyLimit
    ) -> [FederationStatus.Round] {
        let scores = Dictionary(evaluations.map { ($0.round, $0) }, uniquingKeysWith: { _, last in last })
        return records.suffix(limit).map { Self($0, evaluation: scores[$0.round]) }
    }
}
