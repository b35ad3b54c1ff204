import Testing

@testable import FedRounds

struct RoundStateMachineTests {
    static func machine(rounds: Int = 3, minSites: Int = 2, quorum: Int = 2, deadline: Double = 10) -> RoundStateMachine
    {
        var policy = RoundPolicy(rounds: rounds, minSites: minSites, quorum: quorum, deadlineSeconds: deadline)
        policy.maxRetries = 1
        return RoundStateMachine(policy: policy)
    }

    @Test func roundStartsOnceEnoughSitesAreConnected() {
        var machine = Self.machine()

        let first = machine.handle(.siteConnected("a"), now: 0)
        let second = machine.handle(.siteConnected("b"), now: 1)

        #expect(first.isEmpty)
        #expect(second == [.startRound(round: 1, sites: ["a", "b"], deadline: 11)])
    }

    @Test func roundClosesWhenEverySelectedSiteReportedAndTheNextStarts() {
        var machine = Self.machine()
        _ = machine.handle(.siteConnected("a"), now: 0)
        _ = machine.handle(.siteConnected("b"), now: 0)

        let afterA = machine.handle(.updateArrived(site: "a", round: 1), now: 2)
        let afterB = machine.handle(.updateArrived(site: "b", round: 1), now: 3)

        #expect(afterA == [.foldUpdate(site: "a", round: 1)])
        #expect(
            afterB == [
                .foldUpdate(site: "b", round: 1),
                .closeRound(round: 1, reported: ["a", "b"], failures: [:]),
                .startRound(round: 2, sites: ["a", "b"], deadline: 13),
            ]
        )
        #expect(machine.completedRounds == 1)
    }

    @Test func deadlineClosesTheRoundWithAQuorumAndRecordsTheLateSite() {
        var machine = Self.machine(minSites: 3, quorum: 2)
        for site in ["a", "b", "c"] { _ = machine.handle(.siteConnected(site), now: 0) }
        _ = machine.handle(.updateArrived(site: "a", round: 1), now: 1)
        _ = machine.handle(.updateArrived(site: "c", round: 1), now: 2)

        let early = machine.handle(.tick, now: 9.9)
        let late = machine.handle(.tick, now: 10)

        #expect(early.isEmpty)
        #expect(
            late.first == .closeRound(round: 1, reported: ["a", "c"], failures: ["b": "no report before the deadline"])
        )
    }

    @Test func roundWithoutQuorumIsRetriedThenTheRunStops() {
        var machine = Self.machine(minSites: 2, quorum: 2)
        _ = machine.handle(.siteConnected("a"), now: 0)
        _ = machine.handle(.siteConnected("b"), now: 0)
        _ = machine.handle(.updateArrived(site: "a", round: 1), now: 1)

        let retry = machine.handle(.tick, now: 10)
        let stop = machine.handle(.tick, now: 20)

        #expect(retry.first == .retryRound(round: 1, reason: "round 1: 1 of 2 sites reported, quorum is 2"))
        #expect(retry.last == .startRound(round: 1, sites: ["a", "b"], deadline: 20))
        guard case .stop(let reason) = stop.first else {
            Issue.record("expected the run to stop, got \(stop)")
            return
        }
        #expect(reason.contains("gave up after 1 retries"))
    }

    @Test func staleDuplicateAndUnselectedUpdatesAreRejected() {
        var machine = Self.machine()
        var policy = RoundPolicy(rounds: 3, minSites: 2, quorum: 1)
        policy.sampleSize = .count(1)
        policy.seed = 4
        machine = RoundStateMachine(policy: policy)
        _ = machine.handle(.siteConnected("a"), now: 0)
        guard case .startRound(_, let sites, _) = machine.handle(.siteConnected("b"), now: 0).first else {
            Issue.record("round did not start")
            return
        }
        let chosen = sites[0]
        let other = chosen == "a" ? "b" : "a"

        #expect(
            machine.handle(.updateArrived(site: chosen, round: 7), now: 1)
                == [.rejectUpdate(site: chosen, reason: .wrongRound(expected: 1, found: 7))]
        )
        #expect(
            machine.handle(.updateArrived(site: other, round: 1), now: 1)
                == [.rejectUpdate(site: other, reason: .notSelected(site: other, round: 1))]
        )
        #expect(
            machine.handle(.updateArrived(site: chosen, round: 1), now: 1).contains(.foldUpdate(site: chosen, round: 1))
        )
        #expect(
            machine.handle(.updateArrived(site: chosen, round: 1), now: 1)
                == [.rejectUpdate(site: chosen, reason: .wrongRound(expected: 2, found: 1))]
        )
    }

    @Test func rejectedOrDisconnectedSitesCountAsFailuresNotReports() {
        var machine = Self.machine(minSites: 3, quorum: 1)
        for site in ["a", "b", "c"] { _ = machine.handle(.siteConnected(site), now: 0) }

        _ = machine.handle(.updateArrived(site: "a", round: 1), now: 1)
        _ = machine.handle(.updateRejected(site: "b", round: 1, reason: "tensor 'w' holds NaN"), now: 1)
        let actions = machine.handle(.siteDisconnected("c"), now: 2)

        #expect(
            actions.first
                == .closeRound(
                    round: 1,
                    reported: ["a"],
                    failures: ["b": "tensor 'w' holds NaN", "c": "disconnected"]
                )
        )
    }

    @Test func lastRoundFinishesAndAResumedMachineStartsAfterItsCompletedRounds() {
        var machine = Self.machine(rounds: 1)
        _ = machine.handle(.siteConnected("a"), now: 0)
        _ = machine.handle(.siteConnected("b"), now: 0)
        _ = machine.handle(.updateArrived(site: "a", round: 1), now: 1)
        let end = machine.handle(.updateArrived(site: "b", round: 1), now: 1)
        var resumed = RoundStateMachine(policy: RoundPolicy(rounds: 5, minSites: 1), completedRounds: 3)

        #expect(end.last == .finish(rounds: 1))
        #expect(machine.phase == .finished)
        #expect(resumed.handle(.siteConnected("a"), now: 0) == [.startRound(round: 4, sites: ["a"], deadline: 600)])
    }

    @Test func samplingIsSeededAndIndependentOfConnectionOrder() {
        let sites: Set<String> = ["s1", "s2", "s3", "s4", "s5", "s6"]

        let first = SiteSampler.sample(sites, size: .fraction(0.5), round: 2, seed: 9)
        let again = SiteSampler.sample(Set(sites.reversed()), size: .fraction(0.5), round: 2, seed: 9)
        let rounds = (1...8).map { SiteSampler.sample(sites, size: .count(2), round: $0, seed: 9) }

        #expect(first.count == 3)
        #expect(first == again)
        #expect(Set(rounds).count > 1, "different rounds should pick different sites")
        #expect(SampleSize.fraction(0.01).count(of: 6) == 1)
    }
}

struct RoundStateMachineReviewTests {
    @Test func quorumLargerThanTheSampleIsCappedAtTheSitesSelected() {
        var policy = RoundPolicy(rounds: 1, minSites: 4, quorum: 4)
        policy.sampleSize = .count(2)
        var machine = RoundStateMachine(policy: policy)
        var selected: [String] = []
        for site in ["a", "b", "c", "d"] {
            for case .startRound(_, let sites, _) in machine.handle(.siteConnected(site), now: 0) { selected = sites }
        }

        _ = machine.handle(.updateArrived(site: selected[0], round: 1), now: 1)
        let actions = machine.handle(.updateArrived(site: selected[1], round: 1), now: 1)

        #expect(actions.contains(.finish(rounds: 1)))
    }

    @Test func aRejectionAfterAnAcceptedUpdateDoesNotUnreportTheSite() {
        var machine = RoundStateMachine(policy: RoundPolicy(rounds: 1, minSites: 2, quorum: 2))
        _ = machine.handle(.siteConnected("a"), now: 0)
        _ = machine.handle(.siteConnected("b"), now: 0)
        _ = machine.handle(.updateArrived(site: "a", round: 1), now: 1)

        let late = machine.handle(.updateRejected(site: "a", round: 1, reason: "garbage"), now: 1)
        let close = machine.handle(.updateArrived(site: "b", round: 1), now: 2)

        #expect(late.isEmpty)
        #expect(close.contains(.closeRound(round: 1, reported: ["a", "b"], failures: [:])))
    }
}
