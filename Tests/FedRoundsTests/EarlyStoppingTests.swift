import FedTensor
import OrderedCollections
import Testing

@testable import FedRounds

/// Early stopping on the federated validation loss: the verdicts, and through the core the
/// run ending after the round in training with the best round's model as the result.
struct EarlyStoppingTests {
    @Test func patienceCountsRoundsWithoutAnImprovementLargerThanMinDelta() {
        var judge = EarlyStopping(settings: .init(patience: 2, minDelta: 0.05))
        #expect(judge.observe(round: 1, loss: 1.0) == .improved)
        #expect(judge.observe(round: 2, loss: 0.8) == .improved)
        #expect(judge.observe(round: 3, loss: 0.77) == .noImprovement, "0.03 is not more than min_delta")
        #expect(judge.observe(round: 3, loss: 0.1) == .ignored, "a round is judged once")
        #expect(judge.observe(round: 4, loss: .nan) == .ignored)
        #expect(judge.observe(round: 5, loss: 0.9) == .stop)
        #expect(judge.best?.round == 2 && judge.stoppedAfter == 5)
        #expect(judge.observe(round: 6, loss: 0.1) == .ignored, "nothing after the stop")
        #expect(judge.record == .init(bestRound: 2, bestLoss: 0.8, roundsWithoutImprovement: 2, patience: 2, stopped: true))
    }

    @Test func aRestartRebuildsTheSameStateFromTheEvaluations() {
        let losses = [1.0, 0.7, 0.75, 0.72]
        var live = EarlyStopping(settings: .init(patience: 3))
        for (index, loss) in losses.enumerated() { _ = live.observe(round: index + 1, loss: loss) }
        let records = losses.enumerated().reversed().map {
            EvaluationRecord(round: $0.offset + 1, sites: ["a"], examples: 5, metrics: ["loss": $0.element])
        }
        #expect(EarlyStopping(settings: .init(patience: 3), evaluations: records) == live)
    }

    @Test func settingsOutOfRangeAreNamed() {
        #expect(EarlyStopping.Settings(patience: 0).problems == ["early_stopping.patience must be in 1...10000, found 0"])
        #expect(EarlyStopping.Settings(patience: 2, minDelta: -1).problems.first?.contains("min_delta") == true)
        #expect(EarlyStopping.Settings(patience: 2).problems.isEmpty)
    }

    /// Drives a core of 10 rounds in which sites report the given validation loss per round.
    static func run(losses: [Double], patience: Int) -> (records: [RoundRecord], core: FederationCore, globals: [Int: Float]) {
        var settings = FederationCore.Settings(policy: RoundPolicy(rounds: 10, minSites: 2, deadlineSeconds: 600))
        settings.earlyStopping = .init(patience: patience)
        var core = FederationCore(settings: settings, global: ["w": Tensor(shape: [2])])
        var pending: [FederationCore.Action] = []
        for site in ["s0", "s1"] { pending += core.handle(.siteJoined(site, holdsBase: true), now: 0) }
        var records: [RoundRecord] = []
        var globals: [Int: Float] = [:]
        while !pending.isEmpty {
            switch pending.removeFirst() {
            case .train(let round, let site, _, _):
                // Every round moves w by 1, so a round's model is told apart by its value.
                let update = FederationCore.Update(
                    examples: 10, metrics: [:], tensors: ["w": Tensor(shape: [2], scalars: [1, 1])], bytes: 8)
                pending += core.handle(.updateReceived(site: site, round: round, update), now: 0)
            case .writeCheckpoint(let round, let tensors, let record):
                records.append(record)
                globals[round] = tensors["w"]!.scalars[0]
                pending += core.handle(.checkpointWritten(round: round), now: 0)
            case .evaluate(let round, let sites, _):
                for site in sites {
                    let loss = losses[min(round, losses.count) - 1]
                    pending += core.handle(
                        .evaluationReceived(site: site, round: round, examples: 5, metrics: ["loss": loss]), now: 0)
                }
            default: continue
            }
        }
        return (records, core, globals)
    }

    @Test func theCoreEndsAfterTheRoundInTrainingAndKeepsTheBestRoundsModel() {
        // Best at round 2; rounds 3 and 4 do not improve: round 4's evaluation stops the run,
        // and round 5, already training, is the last.
        let (records, core, globals) = Self.run(losses: [1.0, 0.8, 0.85, 0.9, 0.5, 0.4], patience: 2)
        #expect(records.map(\.round) == [1, 2, 3, 4, 5])
        #expect(core.isOver && core.stoppedEarlyAfter == 4)
        #expect(core.resultRound == 2)
        #expect(core.resultTensors["w"]?.scalars == [globals[2]!, globals[2]!])
        #expect(globals[2] == 2 && core.global["w"]?.scalars.first == 5)
        #expect(records.last?.earlyStopping?.stopped == true)
        #expect(records.last?.earlyStopping?.bestRound == 2)
        #expect(records.first?.earlyStopping == nil, "round 1 closes before any evaluation")
    }

    @Test func withoutAStopEveryRoundRunsAndTheBestRoundIsStillTheResult() {
        let (records, core, _) = Self.run(losses: [1.0, 0.5, 0.6, 0.55, 0.7, 0.52, 0.58, 0.6, 0.51, 0.53], patience: 20)
        #expect(records.count == 10 && core.stoppedEarlyAfter == nil)
        #expect(core.resultRound == 2 && core.resultTensors["w"]?.scalars.first == 2)
    }

    @Test func aCoreResumedAfterAStopStaysStopped() {
        var settings = FederationCore.Settings(policy: RoundPolicy(rounds: 10, minSites: 2))
        settings.earlyStopping = .init(patience: 1)
        let evaluations = [1.0, 1.2].enumerated().map {
            EvaluationRecord(round: $0.offset + 1, sites: ["s0"], examples: 5, metrics: ["loss": $0.element])
        }
        let core = FederationCore(
            settings: settings, global: ["w": Tensor(shape: [2])], completedRounds: 3, evaluations: evaluations)
        #expect(core.isOver && core.resultRound == 1)
    }
}
