import Foundation
import Testing

@testable import FedReport

/// The "Rounds and sites" part of the report: each chart renders with as many elements as
/// the records hold, and the communication card counts the base model once.
@Suite struct RoundSectionTests {
    static let summary = RunSummary.roundsSample()
    static let html = ReportRenderer.html(for: summary)

    /// The `<svg>` whose id is `id`.
    static func svg(_ id: String, in html: String = Self.html) throws -> String {
        try #require(XMLCheck.svgElements(in: html).first { $0.contains("id=\"\(id)\"") }, "no \(id)")
    }

    @Test func everyRoundChartRendersAsWellFormedSVG() throws {
        for id in [
            "chart-labels", "chart-participation", "chart-site-train-loss", "chart-site-train-accuracy",
            "chart-site-heldout", "chart-bytes", "chart-seconds", "chart-norms", "chart-clip",
        ] {
            #expect(XMLCheck.problem(in: try Self.svg(id)) == nil, "\(id)")
        }
        EdgeCaseTests.expectValid(Self.html, svgs: 13)
    }

    @Test func theLabelHeatMapHasACellPerSiteAndClassHoldingItsCount() throws {
        let heat = try Self.svg("chart-labels")
        let sites = Self.summary.sites
        let cells = heat.components(separatedBy: "<rect").dropFirst().filter { $0.contains("training examples of") }
        #expect(cells.count == sites.count * Self.summary.classNames.count)
        for site in sites {
            for (index, count) in site.classCounts!.enumerated() {
                let tooltip = "\(site.name): \(count) training examples of \(Self.summary.classNames[index]) ("
                #expect(heat.contains(tooltip), "missing \(tooltip)")
            }
        }
    }

    @Test func eachSiteHasItsLineInThePerSiteCharts() throws {
        let sites = Self.summary.sites.count
        // One path per site (each has at least two points); legend lines are <line>.
        #expect(try Self.svg("chart-site-train-loss").occurrences(of: "<path") == sites)
        #expect(try Self.svg("chart-norms").occurrences(of: "<path") == sites)
        // The held-out chart has the sites' lines only (the sample records no weighted mean).
        #expect(try Self.svg("chart-site-heldout").occurrences(of: "<path") == sites)
    }

    @Test func manySitesAreDrawnAsTheirSpread() throws {
        let summary = RunSummary.roundsSample(sites: RoundCharts.maximumSiteLines + 3)
        let chart = try #require(RoundCharts.siteTraining(summary, accuracy: false))
        #expect(chart.occurrences(of: "<path") == 3)
        #expect(chart.contains("Median site"))
    }

    @Test func participationShowsEveryRoundOfEverySiteAndTheFailure() throws {
        let grid = try Self.svg("chart-participation")
        let summary = Self.summary
        #expect(grid.occurrences(of: ": reported</title>") == summary.sites.count * summary.rounds.count - 1)
        #expect(grid.occurrences(of: ": failed: late: the deadline passed</title>") == 1)
        #expect(Self.html.contains("<table class=\"data failures\">"))
        #expect(Self.html.contains("<td>late: the deadline passed</td>"))
    }

    @Test func theClipChartAppearsOnlyWhenAnUpdateWasClipped() {
        var summary = Self.summary
        for r in summary.rounds.indices {
            for s in summary.rounds[r].sites!.indices { summary.rounds[r].sites![s].clipScale = 1 }
        }
        #expect(RoundCharts.clipFactors(summary) == nil)
        #expect(RoundCharts.clipFactors(Self.summary) != nil)
    }

    @Test func theCommunicationCardCountsTheBaseModelOnce() throws {
        let rounds = Self.summary.rounds
        let traffic = try #require(Communication(rounds))
        let sites = Self.summary.sites.count
        #expect(traffic.baseModel == sites * 1_000_000)
        #expect(traffic.perRound == sites * 90_000, "per round: trainable out and updates back, no base model")
        #expect(traffic.roundTraffic == rounds.count * sites * 90_000)
        #expect(Self.html.contains(ReportFormat.bytes(sites * 90_000).htmlEscaped))
        #expect(Self.html.contains("base model once: \(ReportFormat.bytes(sites * 1_000_000))"))
        #expect(Self.html.contains("updates from sites \(ReportFormat.bytes(sites * 40_000))"))
    }

    /// Out and back differ in the sample (compressed updates): two lines. When they are equal,
    /// one line says so instead of one hiding the other.
    @Test func theBytesChartDrawsEqualTrafficAsOneLine() throws {
        let chart = try Self.svg("chart-bytes")
        #expect(chart.contains("Model out to sites") && chart.contains("Updates back"))
        var summary = Self.summary
        for index in summary.rounds.indices { summary.rounds[index].updateBytes = summary.rounds[index].trainableBytes }
        let equal = try #require(RoundCharts.bytes(summary))
        #expect(equal.contains("Model out = updates back") && !equal.contains("Updates back"))
    }

    @Test func eachSitesBarsSayHowManyTestExamplesTheyRestOn() throws {
        let bars = try Self.svg("chart-sites")
        for site in Self.summary.sites {
            #expect(bars.contains(">n = \(ReportFormat.integer(site.testExamples))<"), "\(site.name)")
        }
    }

    @Test func anUnfinishedRunSaysSo() {
        var summary = Self.summary
        #expect(!Self.html.contains("id=\"unfinished\""))
        summary.finished = false
        summary.roundsAsked = 30
        let html = ReportRenderer.html(for: summary)
        #expect(html.contains("This run did not finish."))
        #expect(html.contains("5 of 30 rounds finished"))
    }
}
