import FedTensor
import OrderedCollections
import Testing

@testable import FedRounds

/// The federation core through whole runs, with no sockets and a clock that is a number
/// the test sets: sites are functions of the round's tensors, checkpoints a dictionary.
struct FederationCoreTests {
    static let start: OrderedDictionary<String, Tensor> = ["w": Tensor(shape: [2, 2]), "b": Tensor(shape: [2])]

    static func settings(
        rounds: Int = 3,
        minSites: Int = 2,
        quorum: Int? = nil,
        deadline: Double = 600
    )
        -> FederationCore.Settings
    {
        var policy = RoundPolicy(rounds: rounds, minSites: minSites, quorum: quorum, deadlineSeconds: deadline)
        policy.maxRetries = 1
        var settings = FederationCore.Settings(policy: policy, clipNorm: 10)
        settings.baseModelBytes = 1000
        settings.trainableBytes = 100
        return settings
    }

    /// A site's update: every value `0.1 · (its number + 1) · round`, from 10 examples.
    static func update(_ site: String, round: Int, metrics: [String: Double]? = nil) -> FederationCore.Update {
        let value = 0.1 * Float((Int(site.dropFirst()) ?? 0) + 1) * Float(round)
        let tensors = Self.start.mapValues {
            Tensor(shape: $0.shape, scalars: [Float](repeating: value, count: $0.count))
        }
        return .init(examples: 10, metrics: metrics ?? ["loss": Double(round)], tensors: tensors, bytes: 100)
    }

    /// Carries out actions as a shell would: honest sites in `answering` reply at once,
    /// checkpoints are kept; returns what it saw.
    struct Shell {
        var core: FederationCore
        var answering: Set<String>
        var now: Double = 0
        var checkpoints: [Int: OrderedDictionary<String, Tensor>] = [:]
        var records: [RoundRecord] = []
        var evaluations: [EvaluationRecord] = []
        var trained: [(round: Int, site: String, seed: UInt64)] = []
        var finished: (rounds: Int, sites: [String])?
        var stopped: String?
        var wakes: [Double] = []
        var baseSent: [String] = []
        /// Actions carried out so far; a crash after `crashAfter` of them loses the rest.
        var steps = 0
        var crashAfter = Int.max

        mutating func send(_ event: FederationCore.Event) {
            var pending = self.core.handle(event, now: self.now)
            while !pending.isEmpty, self.steps < self.crashAfter {
                self.steps += 1
                switch pending.removeFirst() {
                case .sendBaseModel(let site): self.baseSent.append(site)
                case .train(let round, let site, let seed, _):
                    self.trained.append((round, site, seed))
                    if self.answering.contains(site) {
                        pending += self.core.handle(
                            .updateReceived(site: site, round: round, FederationCoreTests.update(site, round: round)),
                            now: self.now
                        )
                    }
                case .evaluate(let round, let sites, _):
                    for site in sites where self.answering.contains(site) {
                        pending += self.core.handle(
                            .evaluationReceived(site: site, round: round, examples: 5, metrics: ["accuracy": 0.5]),
                            now: self.now
                        )
                    }
                case .writeCheckpoint(let round, let tensors, let record):
                    self.checkpoints[round] = tensors
                    self.records.append(record)
                    pending += self.core.handle(.checkpointWritten(round: round), now: self.now)
                case .writeEvaluation(let record): self.evaluations.append(record)
                case .wake(let instant): self.wakes.append(instant)
                case .finished(let rounds, let sites): self.finished = (rounds, sites)
                case .stop(let reason): self.stopped = reason
                case .rejectUpdate, .retryRound, .shutDown, .secure: break
                }
            }
        }

        mutating func join(_ sites: [String]) {
            for site in sites { self.send(.siteJoined(site, holdsBase: false)) }
        }
    }

    @Test func wholeRunTrainsCheckpointsEvaluatesAndFinishes() {
        var shell = Shell(core: FederationCore(settings: Self.settings(), global: Self.start), answering: ["s0", "s1"])

        shell.join(["s0", "s1"])

        #expect(shell.records.map(\.round) == [1, 2, 3])
        #expect(shell.baseSent == ["s0", "s1"], "the base model goes once to each site")
        #expect(shell.records.allSatisfy { $0.sites == ["s0", "s1"] && $0.examples == 20 && $0.failures.isEmpty })
        #expect(shell.records[0].bytes == RoundBytes(baseModel: 2000, trainable: 200, updates: 200))
        #expect(shell.records[1].bytes == RoundBytes(baseModel: 0, trainable: 200, updates: 200))
        #expect(shell.records[2].trainMetrics == ["loss": 3])
        #expect(shell.evaluations.map(\.round) == [1, 2, 3])
        #expect(shell.evaluations.allSatisfy { $0.examples == 10 && $0.metrics == ["accuracy": 0.5] })
        #expect(shell.finished?.rounds == 3 && shell.finished?.sites == ["s0", "s1"])
        // FedAvg of 0.1·r and 0.2·r over rounds 1…3, each clipped to nothing (norms < 10).
        let expected: Float = (0.15 * 1 + 0.15 * 2 + 0.15 * 3)
        #expect(shell.core.global["w"]!.scalars.allSatisfy { abs($0 - expected) < 1e-6 })
        #expect(shell.checkpoints[3] == shell.core.global)
        #expect(shell.core.isOver)
    }

    /// A restart after a crash that lost round 1's evaluation: the sites score round 1's
    /// model before they train round 2, and the run goes on as before.
    @Test func aResumedRoundWithoutItsEvaluationIsScoredBeforeTheNextRoundTrains() {
        var shell = Shell(
            core: FederationCore(settings: Self.settings(), global: Self.start, completedRounds: 1, evaluated: false),
            answering: ["s0", "s1"]
        )
        shell.join(["s0", "s1"])
        #expect(shell.evaluations.map(\.round) == [1, 2, 3])
        #expect(shell.records.map(\.round) == [2, 3])
        #expect(shell.finished?.rounds == 3)
    }

    /// Every round done but the last one's evaluation lost: once `minSites` are back they
    /// score it, it is recorded, and the run finishes; nothing is trained.
    @Test func aFinishedRunWithoutItsLastEvaluationAsksForItThenFinishes() {
        var shell = Shell(
            core: FederationCore(settings: Self.settings(), global: Self.start, completedRounds: 3, evaluated: false),
            answering: ["s0", "s1"]
        )
        #expect(!shell.core.isOver)
        shell.join(["s0"])
        #expect(shell.evaluations.isEmpty && shell.finished == nil, "it waits for min_sites")
        shell.join(["s1"])
        #expect(shell.evaluations.map(\.round) == [3] && shell.evaluations.first?.sites == ["s0", "s1"])
        #expect(shell.finished?.rounds == 3 && shell.finished?.sites == ["s0", "s1"])
        #expect(shell.trained.isEmpty && shell.records.isEmpty)
    }

    @Test func eachSiteAndRoundGetsItsOwnSeedTheSameInEveryRun() {
        var first = Shell(core: FederationCore(settings: Self.settings(), global: Self.start), answering: ["s0", "s1"])
        var second = first
        first.join(["s0", "s1"])
        second.join(["s1", "s0"])

        let seeds = first.trained.map(\.seed)
        #expect(Set(seeds).count == seeds.count)
        #expect(Set(second.trained.map(\.seed)) == Set(seeds))
    }

    @Test func deadlineClosesTheRoundWithAQuorumAndNamesTheLateSite() {
        var shell = Shell(
            core: FederationCore(settings: Self.settings(rounds: 1, minSites: 3, quorum: 2), global: Self.start),
            answering: ["s0", "s1"]
        )
        shell.join(["s0", "s1", "s2"])
        #expect(shell.records.isEmpty && shell.wakes == [600])

        shell.now = 599.9
        shell.send(.deadlineReached)
        #expect(shell.records.isEmpty, "an early wake changes nothing")
        shell.now = 600
        shell.send(.deadlineReached)

        #expect(shell.records.map(\.sites) == [["s0", "s1"]])
        #expect(shell.records.first?.failures == ["s2": "no report before the deadline"])
        #expect(shell.records.first?.seconds == 600)
    }

    @Test func roundWithoutQuorumIsRetriedThenTheRunStops() {
        var shell = Shell(
            core: FederationCore(settings: Self.settings(rounds: 2, minSites: 2), global: Self.start),
            answering: ["s0"]
        )
        shell.join(["s0", "s1"])

        shell.now = 600
        shell.send(.deadlineReached)
        #expect(shell.trained.map(\.round) == [1, 1, 1, 1], "tried again with both sites")
        #expect(shell.stopped == nil)
        shell.now = 1200
        shell.send(.deadlineReached)

        #expect(shell.records.isEmpty)
        #expect(shell.stopped?.contains("1 of 2 sites reported, quorum is 2") == true)
        #expect(shell.core.global == Self.start)
    }

    @Test func lateDuplicateStaleAndUnselectedUpdatesLeaveTheModelAlone() {
        var settings = Self.settings(rounds: 3, minSites: 2)
        settings.policy.sampleSize = .count(1)
        var core = FederationCore(settings: settings, global: Self.start)
        _ = core.handle(.siteJoined("s0", holdsBase: true), now: 0)
        let started = core.handle(.siteJoined("s1", holdsBase: true), now: 0)
        guard case .train(_, let chosen, _, _)? = started.first else {
            Issue.record("no train action: \(started)")
            return
        }
        let other = chosen == "s0" ? "s1" : "s0"

        let unselected = core.handle(.updateReceived(site: other, round: 1, Self.update(other, round: 1)), now: 1)
        let early = core.handle(.updateReceived(site: chosen, round: 2, Self.update(chosen, round: 2)), now: 1)
        let stale = core.handle(.updateReceived(site: chosen, round: 0, Self.update(chosen, round: 0)), now: 1)

        for actions in [unselected, early, stale] {
            guard case .rejectUpdate? = actions.first, actions.count == 1 else {
                Issue.record("expected one rejection, got \(actions)")
                continue
            }
        }
        #expect(core.global == Self.start)
        let closing = core.handle(.updateReceived(site: chosen, round: 1, Self.update(chosen, round: 1)), now: 2)
        guard case .writeCheckpoint(1, _, let record)? = closing.first else {
            Issue.record("round 1 did not close: \(closing)")
            return
        }
        #expect(record.sites == [chosen])
        // While the checkpoint is written nothing else starts; a second update is refused.
        let duplicate = core.handle(.updateReceived(site: chosen, round: 1, Self.update(chosen, round: 1)), now: 3)
        guard case .rejectUpdate? = duplicate.first else {
            Issue.record("a duplicate was not refused: \(duplicate)")
            return
        }
        let next = core.handle(.checkpointWritten(round: 1), now: 4)
        #expect(next.contains { if case .train(2, _, _, _) = $0 { true } else { false } })
    }

    @Test func poisonedUpdateIsAFailureAndTheOthersCarryTheRound() {
        var core = FederationCore(settings: Self.settings(rounds: 1, minSites: 2, quorum: 1), global: Self.start)
        _ = core.handle(.siteJoined("s0", holdsBase: true), now: 0)
        _ = core.handle(.siteJoined("s1", holdsBase: true), now: 0)
        var poisoned = Self.update("s1", round: 1)
        poisoned.tensors["w"]!.scalars[0] = .nan

        let refused = core.handle(.updateReceived(site: "s1", round: 1, poisoned), now: 1)
        let closed = core.handle(.updateReceived(site: "s0", round: 1, Self.update("s0", round: 1)), now: 2)

        guard case .rejectUpdate(_, _, let reason)? = refused.first else {
            Issue.record("not refused: \(refused)")
            return
        }
        #expect(reason.contains("NaN"))
        guard case .writeCheckpoint(_, let tensors, let record)? = closed.first else {
            Issue.record("not closed: \(closed)")
            return
        }
        #expect(record.sites == ["s0"] && record.failures["s1"]?.contains("NaN") == true)
        #expect(tensors.values.allSatisfy { $0.scalars.allSatisfy { $0.isFinite } })
    }

    /// A one-round run whose two sites have both reported; the checkpoint is not yet written.
    static func oneRoundReportedByTwoSites() -> FederationCore {
        var core = FederationCore(settings: Self.settings(rounds: 1, minSites: 2), global: Self.start)
        for site in ["s0", "s1"] { _ = core.handle(.siteJoined(site, holdsBase: false), now: 0) }
        for site in ["s0", "s1"] {
            _ = core.handle(.updateReceived(site: site, round: 1, Self.update(site, round: 1)), now: 1)
        }
        return core
    }

    @Test func lastRoundWaitsForItsEvaluationOrItsDeadline() {
        var core = Self.oneRoundReportedByTwoSites()

        let written = core.handle(.checkpointWritten(round: 1), now: 2)
        let oneReply = core.handle(
            .evaluationReceived(site: "s0", round: 1, examples: 4, metrics: ["accuracy": 1]),
            now: 3
        )
        let atDeadline = core.handle(.deadlineReached, now: 602)

        #expect(written.contains { if case .evaluate(1, ["s0", "s1"], _) = $0 { true } else { false } })
        #expect(written.contains { if case .wake(602) = $0 { true } else { false } })
        #expect(!written.contains { if case .finished = $0 { true } else { false } })
        #expect(oneReply.isEmpty)
        guard atDeadline.count == 2, case .writeEvaluation(let record) = atDeadline[0],
            case .finished(1, _) = atDeadline[1]
        else {
            Issue.record("expected the partial evaluation, then finished: \(atDeadline)")
            return
        }
        #expect(record.sites == ["s0"] && record.examples == 4)
    }

    @Test func aMetricOneSiteLeavesOutIsNotAveragedAsZero() {
        var core = Self.oneRoundReportedByTwoSites()
        _ = core.handle(.checkpointWritten(round: 1), now: 2)
        _ = core.handle(
            .evaluationReceived(site: "s0", round: 1, examples: 4, metrics: ["accuracy": 1, "macro_f1": 0.8]),
            now: 3
        )
        let done = core.handle(
            .evaluationReceived(site: "s1", round: 1, examples: 4, metrics: ["accuracy": 0.5]),
            now: 3
        )

        guard case .writeEvaluation(let record)? = done.first else {
            Issue.record("no evaluation written: \(done)")
            return
        }
        #expect(record.metrics == ["accuracy": 0.75, "macro_f1": 0.8])
    }

    @Test func failedCheckpointStopsTheRunWithoutStartingAnotherRound() {
        var core = FederationCore(settings: Self.settings(rounds: 3, minSites: 1), global: Self.start)
        _ = core.handle(.siteJoined("s0", holdsBase: true), now: 0)
        _ = core.handle(.updateReceived(site: "s0", round: 1, Self.update("s0", round: 1)), now: 1)

        let actions = core.handle(.checkpointFailed(round: 1, reason: "disk full"), now: 2)

        guard case .stop(let reason)? = actions.first, actions.count == 1 else {
            Issue.record("expected a stop: \(actions)")
            return
        }
        #expect(reason.contains("disk full"))
        #expect(core.handle(.siteJoined("s1", holdsBase: true), now: 3).isEmpty)
    }

    /// A run cut short after every possible number of carried-out actions and resumed from
    /// its last checkpoint ends with the same model and the same rounds as one never cut.
    @Test func resumingAfterACrashAtAnyStepGivesTheSameRun() {
        var whole = Shell(core: FederationCore(settings: Self.settings(), global: Self.start), answering: ["s0", "s1"])
        whole.join(["s0", "s1"])
        let total = whole.steps

        for crash in 0..<total {
            var first = Shell(
                core: FederationCore(settings: Self.settings(), global: Self.start),
                answering: ["s0", "s1"]
            )
            first.crashAfter = crash
            first.join(["s0", "s1"])
            let last = first.checkpoints.keys.max() ?? 0
            var second = Shell(
                core: FederationCore(
                    settings: Self.settings(),
                    global: first.checkpoints[last] ?? Self.start,
                    completedRounds: last
                ),
                answering: ["s0", "s1"]
            )
            second.join(["s0", "s1"])

            let rounds = (first.records + second.records).map(\.round)
            #expect(rounds == [1, 2, 3], "crash after \(crash) actions")
            #expect(second.core.global == whole.core.global, "crash after \(crash) actions")
            #expect(second.finished?.rounds == 3)
        }
    }
}
