import FedReport
import FedRounds
import FedTestSupport
import Foundation
import Testing

@testable import FedSimulation

/// DP-FedAvg in a simulation as `fedtune simulate --inprocess` runs it (a scenario file,
/// `Scenario.load`, `Simulation.run`): summary.json's privacy block, ε per round as the RDP
/// accountant gives it, a budget that ends the run early, the report and the console line.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct PrivacySimulationTests {
    /// The quickstart scenario (synthetic data, four sites) with `privacy` in place of its
    /// clipping strategy, written to `folder`.
    private func scenario(in folder: URL, rounds: Int, privacy: String) throws -> Scenario {
        let quickstart = try String(
            contentsOf: Repository.root.appendingPathComponent("scenarios/quickstart.yaml"),
            encoding: .utf8
        )
        var lines: [String] = []
        var skipping = false
        for line in quickstart.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("strategy:") || line.hasPrefix("expect:") {
                skipping = true
                continue
            }
            if skipping && line.hasPrefix("  ") { continue }
            skipping = false
            lines.append(line.hasPrefix("rounds:") ? "rounds: \(rounds)" : String(line))
        }
        let file = folder.appendingPathComponent("private.yaml")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try (lines.joined(separator: "\n") + "\nprivacy:\n" + privacy).write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        return try Scenario.load(file)
    }

    /// Runs `scenario` without baselines into `folder/run` and reads back its summary.json.
    private func run(_ scenario: Scenario, in folder: URL) throws -> (Simulation.Report, RunSummary) {
        let output = folder.appendingPathComponent("run")
        let report = try Simulation(scenario: scenario, options: .init(output: output, baselines: false)).run()
        let summary = try RunSummary.decode(from: Data(contentsOf: RunFolder(output).summaryURL))
        return (report, summary)
    }

    @Test func summaryHoldsThePrivacyBlockWithTheAccountantsEpsilonPerRound() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-dp-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = try self.scenario(
            in: folder,
            rounds: 4,
            privacy: "  clip_norm: 2\n  noise_multiplier: 1.2\n  delta: 1e-5\n  sampling: poisson\n  sample_rate: 0.5\n"
        )

        let (report, summary) = try self.run(scenario, in: folder)

        // (Not the whole summary: a round that sampled no site has a NaN train loss, and NaN ≠ NaN.)
        #expect(summary.privacy == report.summary.privacy)
        let privacy = try #require(summary.privacy)
        #expect(privacy.mechanism == "gaussian")
        #expect(privacy.sampling == "poisson")
        #expect(privacy.sampleRate == 0.5)
        #expect(privacy.noiseMultiplier == 1.2)
        #expect(privacy.updateNoiseMultiplier == 1.2)
        #expect(privacy.clipNorm == 2)
        #expect(privacy.lastClipNorm == nil && !privacy.adaptiveClipping && privacy.clipNormPerRound == nil)
        #expect(privacy.expectedSites == 2)
        #expect(abs(privacy.noiseStddev - 2.4) < 1e-12)
        #expect(privacy.delta == 1e-5)
        #expect(privacy.targetEpsilon == nil)
        #expect(privacy.roundsRun == 4 && privacy.roundsAsked == 4 && !privacy.endedByBudget)
        #expect(privacy.secureAggregation == nil)
        #expect(privacy.noiseSource == "seed")
        #expect(privacy.epsilonPerRound.count == 4)
        for (index, epsilon) in privacy.epsilonPerRound.enumerated() {
            let expected = try RDPAccountant.epsilon(
                noiseMultiplier: 1.2,
                sampleRate: 0.5,
                rounds: index + 1,
                delta: 1e-5
            )
            #expect(abs(epsilon - expected.epsilon) < 1e-9, "round \(index + 1): \(epsilon) vs \(expected.epsilon)")
            if index > 0 { #expect(epsilon > privacy.epsilonPerRound[index - 1]) }
        }
        #expect(privacy.epsilon == privacy.epsilonPerRound.last)

        let html = try String(contentsOf: RunFolder(folder.appendingPathComponent("run")).reportURL, encoding: .utf8)
        #expect(html.contains("id=\"privacy\""))
        #expect(html.contains("over the 4 rounds"))
        let text = ComparisonText.render(summary)
        #expect(
            text.contains(
                "privacy: ε = \(PrivacySummary.epsilonText(privacy.epsilon)) at δ = 1e-05 after 4 rounds (DP-FedAvg, "
                    + "z = 1.2, C = 2, q = 0.5)"
            )
        )
    }

    @Test func aTargetEpsilonEndsTheRunEarlyAndTheSummarySaysSo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-dp-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        // A budget between ε after 2 rounds and after 3: the third round would exceed it.
        let two = try RDPAccountant.epsilon(noiseMultiplier: 1.2, sampleRate: 0.5, rounds: 2, delta: 1e-5).epsilon
        let three = try RDPAccountant.epsilon(noiseMultiplier: 1.2, sampleRate: 0.5, rounds: 3, delta: 1e-5).epsilon
        let target = (two + three) / 2
        let scenario = try self.scenario(
            in: folder,
            rounds: 6,
            privacy: "  clip_norm: 2\n  noise_multiplier: 1.2\n  target_epsilon: \(target)\n  sample_rate: 0.5\n"
        )

        let (report, summary) = try self.run(scenario, in: folder)

        #expect(report.rounds.count == 2)
        #expect(report.interruptedAfter == nil)
        let privacy = try #require(summary.privacy)
        #expect(privacy.roundsRun == 2 && privacy.roundsAsked == 6)
        #expect(privacy.endedByBudget)
        #expect(privacy.targetEpsilon == target)
        #expect(abs(privacy.epsilon - two) < 1e-9)
        #expect(privacy.epsilon <= target)
        #expect(
            summary.settings.first { $0.key == "rounds" }?.value
                == "2 of DP-FedAvg (6 asked; the privacy budget ended the run)"
        )
        #expect(summary.baseline(.federated)?.name == "Federated (2 rounds)")
        #expect(ComparisonText.render(summary).contains("the budget ended the run after 2 of the 6 rounds asked"))
        let html = try String(contentsOf: RunFolder(folder.appendingPathComponent("run")).reportURL, encoding: .utf8)
        #expect(html.contains("The budget ended the run"))
    }

    @Test func digitsPrivateMeetsItsExpectationsAtItsBudget() throws {
        let scenario = try Scenario.load(Repository.root.appendingPathComponent("scenarios/digits-private.yaml"))

        let report = try Simulation(scenario: scenario, options: .init()).run()

        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.unchecked.isEmpty)
        let privacy = try #require(report.summary.privacy)
        #expect(privacy.roundsRun == scenario.rounds && !privacy.endedByBudget)
        #expect(privacy.targetEpsilon == 4 && privacy.epsilon <= 4 && privacy.epsilon > 3.9)
        #expect(privacy.delta == 1e-5 && privacy.sampleRate == 0.3 && privacy.expectedSites == 30)
    }

    @Test func aRunWithoutPrivacyHasNoPrivacyBlock() throws {
        var scenario = try Scenario.load(Repository.root.appendingPathComponent("scenarios/quickstart.yaml"))
        scenario.rounds = 1

        let report = try Simulation(scenario: scenario, options: .init(baselines: false)).run()

        #expect(report.summary.privacy == nil)
        #expect(!ComparisonText.render(report.summary).contains("privacy:"))
        #expect(!ReportRenderer.html(for: report.summary).contains("id=\"privacy\""))
    }
}
