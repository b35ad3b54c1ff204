import FedObserve
import FedRounds
import FedTensor
import Foundation
import OrderedCollections

/// What the coordinator keeps for its metrics and status page: the meters, the listener
/// serving them, the finished rounds' numbers, and who failed in the open round. Empty
/// (and nothing is counted) unless coordinator.yaml has `metrics`.
struct Observation {
    var meters: CoordinatorMeters?
    var listener: ObserveListener?
    /// Finished rounds, oldest first, at most `FederationStatus.historyLimit`.
    var history: [FederationStatus.Round] = []
    /// The round whose `train` messages went out last, and its sampled sites that failed.
    var openRound: Int?
    var failed: Set<String> = []
}

extension Coordinator {
    /// Counts what an event tells before the core handles it: connections, update norms,
    /// and sampled sites that leave the open round.
    func observe(_ event: FederationCore.Event) {
        guard let meters = self.observation.meters else { return }
        switch event {
        case .siteJoined:
            meters.connected(self.sites.count)
        case .siteLeft(let site), .siteFailed(let site, _):
            meters.connected(self.sites.count)
            if self.core.awaiting.contains(site) { self.observation.failed.insert(site) }
        case .updateReceived(_, _, let update):
            meters.received(updateNorm: Self.norm(update.tensors.values))
        default:
            break
        }
    }

    /// Counts what the core decided: rounds started (sites sampled), updates rejected,
    /// retries, and evaluations (the accuracy of a finished round).
    func observe(_ actions: [FederationCore.Action]) {
        guard let meters = self.observation.meters else { return }
        var sampled: [Int: Int] = [:]
        for action in actions {
            switch action {
            case .train(let round, _, _, _):
                sampled[round, default: 0] += 1
            case .rejectUpdate(let site, let round, _):
                meters.rejectedUpdate()
                if round == self.observation.openRound { self.observation.failed.insert(site) }
            case .retryRound:
                meters.retriedRound()
                self.observation.openRound = nil
            case .writeEvaluation(let record):
                if let index = self.observation.history.lastIndex(where: { $0.round == record.round }) {
                    self.observation.history[index].accuracy = record.metrics["accuracy"].flatMap {
                        $0.isFinite ? $0 : nil
                    }
                }
            default:
                break
            }
        }
        for (round, count) in sampled where round != self.observation.openRound {
            self.observation.openRound = round
            self.observation.failed = []
            meters.roundStarted(sampled: count)
        }
    }

    /// A checkpoint write that took `seconds`: when it succeeded, the round's record counts.
    func observeCheckpoint(_ record: RoundRecord, seconds: Double, outcome: FederationCore.Event) {
        guard let meters = self.observation.meters, case .checkpointWritten = outcome else { return }
        meters.checkpointWritten(seconds: seconds)
        meters.closed(record)
        self.observation.history.append(FederationStatus.Round(record, evaluation: nil))
        if self.observation.history.count > FederationStatus.historyLimit { self.observation.history.removeFirst() }
    }

    /// The L2 norm of an update over all its tensors, as the site sent it.
    static func norm(_ tensors: some Collection<Tensor>) -> Double {
        var sum = 0.0
        for tensor in tensors {
            for value in tensor.scalars { sum += Double(value) * Double(value) }
        }
        return sum.squareRoot()
    }
}
