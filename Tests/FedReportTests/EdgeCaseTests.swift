import Foundation
import Testing

@testable import FedReport

/// Runs that are short, broken or unusually shaped must still render a valid page.
@Suite struct EdgeCaseTests {
    /// Asserts the page and each of its SVGs parse as XML, and that no NaN or infinity
    /// leaked into the markup.
    static func expectValid(_ html: String, svgs: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(XMLCheck.problem(in: html) == nil, sourceLocation: sourceLocation)
        let elements = XMLCheck.svgElements(in: html)
        if let svgs { #expect(elements.count == svgs, sourceLocation: sourceLocation) }
        for svg in elements {
            #expect(XMLCheck.problem(in: svg) == nil, sourceLocation: sourceLocation)
        }
        for bad in ["nan", "NaN", "inf", "Infinity"] {
            #expect(!html.contains("\"\(bad)"), "\(bad) in an attribute", sourceLocation: sourceLocation)
            #expect(!html.contains(">\(bad)<"), "\(bad) as text", sourceLocation: sourceLocation)
        }
    }

    @Test func zeroRoundsStillDrawsTheAccuracyChart() {
        let html = ReportRenderer.html(for: .sample(rounds: 0))

        Self.expectValid(html, svgs: 4)  // no loss or bytes chart without rounds; the label map
        #expect(html.contains("No rounds recorded"))
    }

    @Test func oneRoundDrawsAPointAndNoLine() {
        let html = ReportRenderer.html(for: .sample(rounds: 1))

        Self.expectValid(html, svgs: 6)
        let accuracy = XMLCheck.svgElements(in: html)[0]
        #expect(accuracy.contains("<circle"))
    }

    @Test func anEmptySummaryRenders() {
        let html = ReportRenderer.html(for: RunSummary(scenario: "", date: ""))

        Self.expectValid(html, svgs: 1)
        #expect(html.contains("No baselines were recorded"))
        #expect(html.contains("No federated result to judge"))
    }

    @Test func missingBaselinesLeaveOutTheirLines() {
        var summary = RunSummary.sample()
        summary.baselines.removeAll { $0.kind != .federated }
        let html = ReportRenderer.html(for: summary)

        Self.expectValid(html, svgs: 6)
        #expect(!html.contains("Centralised"))
        #expect(html.contains("Federated <strong>"))
    }

    @Test func nanAndInfiniteValuesRenderAsDashes() {
        var summary = RunSummary.sample(rounds: 5)
        summary.rounds[2].accuracy = .nan
        summary.rounds[3].loss = .infinity
        summary.rounds[1].meanSiteTrainLoss = -.infinity
        for index in summary.baselines.indices where summary.baselines[index].kind == .centralised {
            summary.baselines[index].metrics.accuracy = .nan
            summary.baselines[index].metrics.loss = .infinity
            summary.baselines[index].metrics.perClass[0].f1 = .nan
        }
        summary.sites[0].globalAccuracy = .nan
        summary.sites[1].aloneAccuracy = .infinity

        let html = ReportRenderer.html(for: summary)

        Self.expectValid(html, svgs: 6)
        #expect(html.contains(ReportFormat.missing))
    }

    @Test func twentyClassesKeepCountsInTheHeatMap() throws {
        let html = ReportRenderer.html(for: .sample(classes: 20))

        Self.expectValid(html, svgs: 6)
        let heat = try #require(XMLCheck.svgElements(in: html).first { $0.contains("id=\"chart-confusion\"") })
        #expect(heat.occurrences(of: "<rect") >= 400)
        // Each of the 400 cells writes its count in a font of at least 9 px.
        let sizes = heat.components(separatedBy: "font-size=\"").dropFirst().compactMap {
            Double($0.prefix { $0 != "\"" })
        }
        #expect(sizes.allSatisfy { $0 >= 9 })
        #expect(heat.occurrences(of: "dominant-baseline=\"central\"") >= 400)
    }

    @Test func twoClassesRender() {
        Self.expectValid(ReportRenderer.html(for: .sample(classes: 2, sites: 2)), svgs: 6)
    }

    @Test func longSiteNamesAreCutInChartsButKeptInTooltips() throws {
        var summary = RunSummary.sample(sites: 8)
        let long = "regional-university-hospital-department-of-cardiology"
        summary.sites[3].name = long
        let html = ReportRenderer.html(for: summary)

        Self.expectValid(html, svgs: 6)
        let bars = XMLCheck.svgElements(in: html)[2]
        #expect(bars.contains("<title>\(long)</title>"))
        #expect(bars.contains("regional-universi…"))
    }

    @Test func raggedConfusionMatricesDoNotCrash() {
        var summary = RunSummary.sample(classes: 3)
        for index in summary.baselines.indices where summary.baselines[index].kind == .federated {
            summary.baselines[index].metrics.confusion = [[5, 1], [2], [0, 0, 9, 4]]
        }
        Self.expectValid(ReportRenderer.html(for: summary), svgs: 6)
    }

    @Test func formattersNeverPrintNaN() {
        #expect(ReportFormat.decimal(.nan) == "—")
        #expect(ReportFormat.decimal(nil) == "—")
        #expect(ReportFormat.percent(.infinity) == "—")
        #expect(ReportFormat.coordinate(.nan) == "0")
        #expect(ReportFormat.bytes(19_921_000) == "19.9 MB")
        #expect(ReportFormat.integer(1_234_567) == "1\u{2009}234\u{2009}567")
        #expect(ReportFormat.compactCount(1234) == "1.2k")
    }
}
