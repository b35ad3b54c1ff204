import FedTensor
import OrderedCollections
import Testing

@testable import FedRounds

/// What the core records about sites that misbehave or stop: refusals, reasons, counts,
/// and metrics only some sites send.
struct FederationCoreRefusalTests {
    typealias Tests = FederationCoreTests

    /// What a site chooses (its reason, metric names) reaches records and logs escaped and
    /// bounded: a newline cannot forge a line, a megabyte cannot swell rounds.jsonl.
    @Test func siteChosenTextIsEscapedAndBoundedAndTooManyMetricsAreRefused() {
        var shell = Tests.Shell(
            core: FederationCore(settings: Tests.settings(rounds: 1, minSites: 4, quorum: 1), global: Tests.start),
            answering: []
        )
        shell.join(["s0", "s1", "s2", "s3"])
        shell.send(.siteFailed("s2", reason: "bad\nINFO forged line " + String(repeating: "x", count: 100_000)))
        var metrics: [String: Double] = [:]
        for index in 0..<200 { metrics["m\(index)"] = 1 }
        shell.send(.updateReceived(site: "s1", round: 1, Tests.update("s1", round: 1, metrics: metrics)))
        shell.send(
            .updateReceived(site: "s3", round: 1, Tests.update("s3", round: 1, metrics: ["loss": 1, "bad\nname": 2]))
        )
        shell.send(.updateReceived(site: "s0", round: 1, Tests.update("s0", round: 1)))
        shell.now = 600
        shell.send(.deadlineReached)

        let record = shell.records.first
        let stopped = record?.stopped?["s2"] ?? ""
        #expect(stopped.hasPrefix("bad\\nINFO forged line xxx") && !stopped.contains("\n"), "\(stopped)")
        #expect(stopped.utf8.count < 600 && stopped.contains("cut at 512 of 100021 bytes"))
        #expect(
            record?.failures["s1"]?.contains("200 metrics sent; at most 32 are recorded") == true,
            "\(record?.failures ?? [:])"
        )
        #expect(
            record?.failures["s3"]?.contains(#"metric name 'bad\nname' is not"#) == true,
            "\(record?.failures ?? [:])"
        )
    }

    @Test func aMetricOneSiteOmitsIsAveragedOverTheSitesThatSentIt() {
        var core = FederationCore(settings: Tests.settings(rounds: 1), global: Tests.start)
        _ = core.handle(.siteJoined("s0", holdsBase: true), now: 0)
        _ = core.handle(.siteJoined("s1", holdsBase: true), now: 0)
        _ = core.handle(
            .updateReceived(site: "s0", round: 1, Tests.update("s0", round: 1, metrics: ["loss": 1, "macro_f1": 0.6])),
            now: 1
        )
        let closing = core.handle(
            .updateReceived(site: "s1", round: 1, Tests.update("s1", round: 1, metrics: ["loss": 3])),
            now: 1
        )
        guard
            case .writeCheckpoint(_, _, let record)? = closing.first(where: {
                if case .writeCheckpoint = $0 { true } else { false }
            })
        else {
            Issue.record("round 1 did not close: \(closing)")
            return
        }
        #expect(record.trainMetrics == ["loss": 2, "macro_f1": 0.6], "macro_f1 of s0 alone, not (0.6 + 0) / 2")
        #expect(record.siteExamples == ["s0": 10, "s1": 10])
        _ = core.handle(.checkpointWritten(round: 1), now: 2)
        _ = core.handle(
            .evaluationReceived(site: "s0", round: 1, examples: 30, metrics: ["accuracy": 0.9, "macro_f1": 0.6]),
            now: 3
        )
        let evaluated = core.handle(
            .evaluationReceived(site: "s1", round: 1, examples: 10, metrics: ["accuracy": 0.5]),
            now: 3
        )
        guard case .writeEvaluation(let evaluation)? = evaluated.first else {
            Issue.record("no evaluation written: \(evaluated)")
            return
        }
        #expect(evaluation.metrics["macro_f1"] == 0.6)
        #expect(abs((evaluation.metrics["accuracy"] ?? 0) - 0.8) < 1e-12)
    }

    @Test func refusedUpdatesAndStoppedSitesAreRecordedWithTheNextRoundThatCloses() {
        var settings = Tests.settings(rounds: 2, minSites: 2, quorum: 1)
        settings.policy.sampleSize = .count(1)
        var core = FederationCore(settings: settings, global: Tests.start)
        _ = core.handle(.siteJoined("s0", holdsBase: true), now: 0)
        let started = core.handle(.siteJoined("s1", holdsBase: true), now: 0)
        let selected = started.compactMap { action -> String? in
            if case .train(_, let site, _, _) = action { site } else { nil }
        }
        #expect(selected.count == 1)
        let chosen = selected[0]
        let other = chosen == "s0" ? "s1" : "s0"
        let notSelected = core.handle(.updateReceived(site: other, round: 1, Tests.update(other, round: 1)), now: 1)
        #expect(
            notSelected.contains {
                if case .rejectUpdate(other, 1, let reason) = $0 {
                    reason == "site '\(other)' was not selected for round 1"
                } else {
                    false
                }
            }
        )
        _ = core.handle(.siteFailed(other, reason: "no column named 'x5'"), now: 1)
        let closed = core.handle(.updateReceived(site: chosen, round: 1, Tests.update(chosen, round: 1)), now: 2)
        let first = closed.compactMap { action -> RoundRecord? in
            if case .writeCheckpoint(_, _, let record) = action { record } else { nil }
        }
        #expect(first.first?.stopped == [other: "no column named 'x5'"])
        #expect(first.first?.refused?.map(\.site) == [other])
        let duplicate = core.handle(.updateReceived(site: chosen, round: 1, Tests.update(chosen, round: 1)), now: 2)
        #expect(
            duplicate.contains {
                if case .rejectUpdate(_, 1, let reason) = $0 { reason == "round 1 is still being saved" } else { false }
            }
        )
        let next = core.handle(.checkpointWritten(round: 1), now: 3)
        #expect(next.isEmpty == false)
        let late = core.handle(.updateReceived(site: chosen, round: 1, Tests.update(chosen, round: 1)), now: 4)
        #expect(
            late.contains {
                if case .rejectUpdate(_, 1, let reason) = $0 {
                    reason.hasPrefix("update is for round 1")
                } else {
                    false
                }
            }
        )
        // Round 2 waits for a second site; s2 joins and is not needed by the sampler.
        var actions = core.handle(.siteJoined("s2", holdsBase: false), now: 5)
        #expect(actions.contains { if case .sendBaseModel("s2") = $0 { true } else { false } }, "base model on join")
        let round2 = actions.compactMap { action -> String? in
            if case .train(2, let site, _, _) = action { site } else { nil }
        }
        actions = core.handle(.updateReceived(site: round2[0], round: 2, Tests.update(round2[0], round: 2)), now: 6)
        let records = actions.compactMap { action -> RoundRecord? in
            if case .writeCheckpoint(_, _, let record) = action { record } else { nil }
        }
        // Round 2's record carries what was refused after round 1 closed.
        #expect(records.count == 1)
        #expect(records.first?.stopped == nil)
        #expect(
            records.first?.refused?.map(\.reason) == [
                "round 1 is still being saved", "update is for round 1, the open round is 2",
            ]
        )
    }
}
