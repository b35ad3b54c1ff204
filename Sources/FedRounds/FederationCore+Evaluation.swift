/// The federated evaluation of each new global model: which sites are asked, what is
/// recorded, and the end of the run once the last round's evaluation is in.
extension FederationCore {
    /// Asks the connected sites to score the global model of the round left unevaluated.
    mutating func reevaluate() -> [Action] {
        guard let round = self.unevaluated else { return [] }
        self.unevaluated = nil
        if case .finished = self.machine.phase { return [] }  // startEvaluation asks, and then finishes
        let asked = self.machine.connected.filter { self.holdsBase.contains($0) }.sorted()
        guard !asked.isEmpty else { return [] }
        self.evaluation = EvaluationTally(round: round, asked: Set(asked))
        self.keepForJudging(round)
        return [.evaluate(round: round, sites: asked, tensors: self.global)]
    }

    mutating func startEvaluation(_ round: Int, now: Double) -> [Action] {
        let previous = self.recordEvaluation(now: now)
        // Only sites that hold the base model can rebuild the global model.
        let asked = self.machine.connected.filter { self.holdsBase.contains($0) }.sorted()
        var actions = previous
        if !asked.isEmpty {
            self.evaluation = EvaluationTally(round: round, asked: Set(asked))
            self.keepForJudging(round)
            actions.append(.evaluate(round: round, sites: asked, tensors: self.global))
        }
        if case .finished = self.machine.phase {
            // The last round's evaluation is awaited, for at most a round's deadline, before
            // the sites are told the run is over.
            let deadline = now + self.settings.policy.deadlineSeconds
            self.finishing = (round, deadline)
            actions.append(.wake(at: deadline))
            actions += self.finishIfEvaluated(now: now)
        }
        return actions
    }

    /// Writes the evaluation gathered so far, if any site replied, and judges it (early stopping).
    mutating func recordEvaluation(now: Double) -> [Action] {
        guard let tally = self.evaluation else { return [] }
        self.evaluation = nil
        guard let record = tally.record else { return [] }
        return [.writeEvaluation(record)] + self.judge(record, now: now)
    }

    mutating func finishIfEvaluated(now: Double, force: Bool = false) -> [Action] {
        guard let finishing = self.finishing, force || self.evaluation == nil else { return [] }
        self.isOver = true
        return [.finished(rounds: finishing.rounds, sites: self.machine.connected.sorted())]
    }
}
