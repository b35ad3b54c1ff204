import Foundation
import Testing

@testable import FedReport

@Suite struct ScreeningTableTests {
    static let summary = RunSummary.screeningSample()
    static let html = ReportRenderer.html(for: Self.summary)

    /// The screening table's markup in `html`.
    static func table(in html: String) throws -> String {
        try #require(
            html.components(separatedBy: "<table class=\"data screening\">").dropFirst().first?
                .components(separatedBy: "</table>").first
        )
    }

    @Test func hasARowPerScreenedModelWithTheBestOfEachRateInBold() throws {
        let table = try Self.table(in: Self.html)

        #expect(table.occurrences(of: "<tr class=\"kind-") == Self.summary.baselines.count)
        for title in ["Sensitivity", "Specificity", "ROC-AUC", "Precision", "TP", "FN", "TN", "FP"] {
            #expect(table.contains(">\(title)</th>"), "missing column \(title)")
        }
        // Four rates, one best each; centralised has the best of all in the sample.
        #expect(table.occurrences(of: "class=\"num best\"") == 4)
        let centralised = try #require(
            table.components(separatedBy: "<tr class=\"kind-centralised\">").last?.components(separatedBy: "</tr>")
                .first
        )
        #expect(centralised.occurrences(of: "class=\"num best\"") == 4)
        #expect(table.contains(ReportFormat.decimal(Self.summary.baseline(.federated)!.metrics.screening!.rocAUC)))
    }

    @Test func headsItsSectionWithThePositiveClassAndShowsTheFederatedROCAUC() {
        #expect(Self.html.contains("<section class=\"block\" id=\"screening\"><h2>Screening for pneumonia</h2>"))
        #expect(Self.html.contains("Federated ROC-AUC"))
        #expect(XMLCheck.problem(in: Self.html) == nil)
    }

    @Test func rocAUCPerRoundIsASeriesOfTheAccuracyChart() throws {
        let accuracy = try #require(XMLCheck.svgElements(in: Self.html).first)

        #expect(accuracy.contains("id=\"chart-accuracy\""))
        #expect(accuracy.contains(">Federated ROC-AUC<"))
        #expect(accuracy.contains("as a screening test for pneumonia"))
        #expect(XMLCheck.problem(in: accuracy) == nil)
        #expect(XMLCheck.svgElements(in: Self.html).count == 6)
    }

    @Test func aRunWithoutAPositiveClassHasNoScreeningSection() {
        let html = ReportRenderer.html(for: .sample())

        #expect(!html.contains("id=\"screening\""))
        #expect(!html.contains("ROC-AUC"))
        #expect(ScreeningTable.html(for: RunSummary.sample().baselines).isEmpty)
    }

    @Test func anUndefinedROCAUCShowsAsADash() throws {
        var summary = RunSummary.screeningSample(rounds: 2)
        for index in summary.baselines.indices { summary.baselines[index].metrics.screening?.rocAUC = .nan }
        summary.rounds[0].screening?.rocAUC = .nan

        let html = ReportRenderer.html(for: summary)

        EdgeCaseTests.expectValid(html, svgs: 6)
        #expect(try Self.table(in: html).contains("<td class=\"num\">\(ReportFormat.missing)</td>"))
    }
}
