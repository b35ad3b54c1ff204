import FedTensor
import OrderedCollections

/// Early stopping in the core: each round's federated evaluation is judged as it is
/// recorded; the model of the best round is kept (in memory, and on disk as its checkpoint)
/// and becomes the result; once the loss has not improved for `patience` rounds the round
/// in training is the last.
extension FederationCore {
    /// The round whose model is the run's result: the best evaluated round under early
    /// stopping, otherwise the last one.
    package var resultRound: Int {
        self.earlyStopping?.best?.round ?? self.machine.completedRounds
    }

    /// The result's trainable tensors: the best round's under early stopping (when this
    /// process saw it; after a restart the shell reads its checkpoint), otherwise the last.
    package var resultTensors: OrderedDictionary<String, Tensor> {
        guard let best = self.earlyStopping?.best, best.round != self.machine.completedRounds else {
            return self.global
        }
        return self.bestTensors ?? self.global
    }

    /// The round early stopping ended the run after, if it did.
    package var stoppedEarlyAfter: Int? { self.earlyStopping?.stoppedAfter }

    /// Keeps the tensors being evaluated, to make them the result if their loss is the best.
    mutating func keepForJudging(_ round: Int) {
        guard self.earlyStopping != nil else { return }
        self.evaluatedTensors[round] = self.global
    }

    /// Judges a round's federated evaluation; on a stop, ends the run after the round in
    /// training, or now when none is.
    mutating func judge(_ record: EvaluationRecord, now: Double) -> [Action] {
        guard var early = self.earlyStopping else { return [] }
        let verdict = early.observe(round: record.round, loss: record.metrics["loss"])
        self.earlyStopping = early
        let tensors = self.evaluatedTensors[record.round]
        self.evaluatedTensors = self.evaluatedTensors.filter { $0.key > record.round }
        switch verdict {
        case .improved:
            self.bestTensors = tensors
            return []
        case .noImprovement, .ignored:
            return []
        case .stop:
            let decisions = self.machine.endEarly()
            guard decisions.contains(where: { if case .finish = $0 { true } else { false } }),
                self.finishing == nil, self.writing == nil
            else { return [] }
            // No round open: the run ends once the evaluation in progress, if any, is in.
            let deadline = now + self.settings.policy.deadlineSeconds
            self.finishing = (self.machine.completedRounds, deadline)
            return [.wake(at: deadline)]
        }
    }
}
