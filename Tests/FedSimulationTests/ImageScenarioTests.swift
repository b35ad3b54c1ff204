import FedFetch
import FedImage
import FedLearning
import FedReport
import FedTestSupport
import Foundation
import Testing

@testable import FedSimulation

/// The reduced pneumonia-hospitals scenario run in process, as `fedtune simulate` runs it:
/// EfficientNet-Lite0 (from the fetch cache) fine-tuned by two hospitals on the 500
/// PneumoniaMNIST X-rays in Tests/Fixtures, one round of the head alone to keep it short.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ImageScenarioTests {
    @Test func summaryScreensEveryModelForPneumoniaAndShowsEachSitesImages() async throws {
        var scenario = try Scenario.load(Repository.scenario("pneumonia-hospitals-small"))
        // One round, and the backbone frozen (its pooled features computed once and cached):
        // what is checked here is what the run reports, not how far last-n fine-tuning gets.
        scenario.rounds = 1
        scenario.image?.fineTuning = ImageFineTuning(mode: .head)
        let folder = try TemporaryFolder("fedtune-image-run")
        defer { folder.remove() }
        let output = folder.url.appendingPathComponent("run")

        let settings = scenario
        let report = try await offThePool { try Simulation(scenario: settings, options: .init(output: output)).run() }

        let run = RunFolder(output)
        let summary = try RunSummary.decode(from: Data(contentsOf: run.summaryURL))
        #expect(summary == report.summary)
        #expect(summary.classNames == ["normal", "pneumonia"])
        #expect(
            summary.baselines.map(\.kind) == [
                .pretrained, .siteAlone, .siteAlone, .sitesAloneMean, .centralised, .federated,
            ]
        )
        for baseline in summary.baselines {
            let screening = try #require(baseline.metrics.screening, "\(baseline.name) has no screening result")
            #expect(screening.positiveClass == "pneumonia")
            for (name, value) in [
                ("sensitivity", screening.sensitivity), ("specificity", screening.specificity),
                ("precision", screening.precision), ("ROC-AUC", screening.rocAUC),
            ] {
                #expect((0...1).contains(value), "\(baseline.name): \(name) \(value)")
            }
            // Sensitivity is the pneumonia recall of the same confusion matrix.
            if baseline.kind != .sitesAloneMean {
                #expect(abs(screening.sensitivity - baseline.metrics.perClass[1].recall) < 1e-12)
                let counts = [
                    screening.truePositives, screening.falseNegatives, screening.trueNegatives,
                    screening.falsePositives,
                ]
                #expect(counts.compactMap { $0 }.reduce(0, +) == baseline.metrics.confusion.joined().reduce(0, +))
            }
        }
        #expect(summary.rounds.count == 1)
        #expect(summary.rounds.allSatisfy { $0.screening.map { (0...1).contains($0.rocAUC) } == true })

        // Four images per site, two of each class, as the site's scanner rendered them.
        let setup = try SimulationSetup<ImageClassifier>.image(
            scenario,
            cache: ArtifactCache(root: ArtifactCache.defaultRoot()),
            log: { _ in }
        )
        #expect(summary.sites.count == 2)
        for (site, simulated) in zip(summary.sites, setup.sites) {
            let examples = try #require(site.examples, "\(site.name) has no example images")
            #expect(examples.map(\.className) == ["normal", "normal", "pneumonia", "pneumonia"])
            let rendered = Set((0..<simulated.train.count).map { simulated.train.images.image(at: $0).pixels })
            for example in examples {
                #expect(example.isPNGDataURI)
                let base64 = String(example.dataURI.dropFirst(ExampleImage.pngPrefix.count))
                let png = try #require(Data(base64Encoded: base64))
                let image = try PNGDecoder.decode(png, path: "\(site.name) example")
                #expect(image.width == 28 && image.height == 28 && image.channels == 1)
                #expect(rendered.contains(image.pixels), "an example of \(site.name) is not one of its rendered images")
            }
        }

        let html = try String(contentsOf: run.reportURL, encoding: .utf8)
        #expect(html.contains("id=\"screening\""))
        #expect(html.components(separatedBy: "<img class=\"example\" src=\"data:image/png;base64,").count - 1 == 8)
        let table = ComparisonText.render(summary)
        #expect(table.contains("sensitivity  specificity  ROC-AUC"))
    }

    @Test func exampleImagesTakeClassesInTurnAndFillFromTheOthers() throws {
        // Three normal images and one pneumonia, 2×2 grey, pixel value = image index.
        let images = ImageSet(
            height: 2,
            width: 2,
            channels: 1,
            pixels: (0..<5).flatMap { [UInt8](repeating: UInt8($0 * 10), count: 4) },
            labels: [0, 1, 0, 0, 0],
            classNames: ["normal", "pneumonia"]
        )

        let examples = RunSummary.exampleImages(of: ImageExamples(images))

        #expect(examples.map(\.className) == ["normal", "normal", "normal", "pneumonia"])
        let decoded = try examples.map {
            try PNGDecoder.decode(
                try #require(Data(base64Encoded: String($0.dataURI.dropFirst(ExampleImage.pngPrefix.count)))),
                path: "example"
            )
        }
        // The first three normal images (0, 2, 3), then the pneumonia one (1).
        #expect(decoded.map { $0.pixels[0] } == [0, 20, 30, 10])
        #expect(
            RunSummary.exampleImages(of: ImageExamples(images), count: 2).map(\.className) == ["normal", "pneumonia"]
        )
    }

    @Test func terminalTableHasScreeningColumnsOnlyWithAPositiveClass() {
        let screening = ScreeningSummary(
            positiveClass: "pneumonia",
            sensitivity: 0.9,
            specificity: 0.8,
            precision: 0.85,
            rocAUC: .nan
        )
        var summary = RunSummary(
            scenario: "s",
            date: "d",
            baselines: [
                BaselineResult(
                    name: "Federated",
                    kind: .federated,
                    metrics: MetricsSummary(accuracy: 0.8, macroPrecision: 0.8, macroRecall: 0.8, macroF1: 0.8)
                )
            ]
        )

        let plain = ComparisonText.render(summary)
        summary.baselines[0].metrics.screening = screening
        let screened = ComparisonText.render(summary)

        #expect(!plain.contains("sensitivity"))
        #expect(screened.contains("macro-F1  sensitivity  specificity  ROC-AUC"))
        #expect(screened.contains("0.8000       0.9000       0.8000        —"))
        #expect(screened.contains("for pneumonia against the other classes"))
    }
}
