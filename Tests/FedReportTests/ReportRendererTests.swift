import Foundation
import Testing

@testable import FedReport

@Suite struct ReportRendererTests {
    static let html = ReportRenderer.html(for: .sample())

    @Test func drawsTheFourChartsAndTheRoundChartsAsInlineSVG() {
        // The sample records each site's labels and each round's bytes, nothing per site per round.
        #expect(Self.html.occurrences(of: "<svg") == 6)
        for id in ["chart-accuracy", "chart-loss", "chart-sites", "chart-confusion", "chart-labels", "chart-bytes"] {
            #expect(Self.html.contains("id=\"\(id)\""), "missing \(id)")
        }
    }

    @Test func theCommunicationCardSaysWhatTheSitesUpdatesWeighed() {
        var summary = RunSummary.sample(rounds: 4)
        #expect(!ReportRenderer.html(for: summary).contains("updates from sites"))
        for index in summary.rounds.indices { summary.rounds[index].updateBytes = 250_000 }
        let html = ReportRenderer.html(for: summary)
        #expect(html.contains("updates from sites \(ReportFormat.bytes(250_000))"), "compression shows in the uplink")
    }

    @Test func isSelfContained() {
        let html = Self.html
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<style>"))
        for external in ["<script", "<link", "src=", "href=", "@import", "url("] {
            #expect(!html.contains(external), "found \(external)")
        }
    }

    @Test func chartsCarryTitlesAndDescriptions() {
        let svgs = XMLCheck.svgElements(in: Self.html)
        #expect(svgs.count == 6)
        for svg in svgs {
            #expect(svg.contains("role=\"img\""))
            #expect(svg.contains("<title id="))
            #expect(svg.contains("<desc id="))
            #expect(svg.contains("viewBox=\"0 0 "))
        }
    }

    @Test func everyChartAndThePageAreWellFormedXML() {
        for svg in XMLCheck.svgElements(in: Self.html) {
            #expect(XMLCheck.problem(in: svg) == nil)
        }
        #expect(XMLCheck.problem(in: Self.html) == nil)
    }

    @Test func comparisonTableHasARowPerBaseline() throws {
        let summary = RunSummary.sample()
        let table = try #require(
            Self.html.components(separatedBy: "<table class=\"data comparison\">").last?
                .components(separatedBy: "</table>").first
        )

        #expect(table.occurrences(of: "<tr class=\"kind-") == summary.baselines.count)
        for baseline in summary.baselines {
            #expect(table.contains(baseline.name.htmlEscaped), "missing row \(baseline.name)")
        }
        // Best accuracy (centralised) and best loss are emphasised; five columns, one best each.
        #expect(table.occurrences(of: "class=\"num best\"") == 5)
    }

    @Test func verdictComparesFederatedWithSitesAloneAndCentralised() throws {
        let verdict = Verdict(federated: 0.842, sitesAlone: 0.761, centralised: 0.861)

        #expect(
            verdict.sentence == "federated 0.842 vs sites alone 0.761 (mean), centralised 0.861: closes 81% of the gap"
        )
        #expect(abs(try #require(verdict.gapClosed) - 0.81) < 1e-9)
        #expect(Self.html.contains("id=\"verdict\""))
        #expect(Self.html.contains("closes <strong>"))
    }

    @Test func verdictWithoutCentralisedOrSitesAloneStaysTrue() {
        #expect(Verdict(federated: 0.8, sitesAlone: nil, centralised: nil).sentence == "federated 0.800")
        #expect(
            Verdict(federated: 0.8, sitesAlone: 0.7, centralised: 0.7).sentence?.contains("no gap to close") == true
        )
        #expect(Verdict(federated: nil, sitesAlone: 0.7, centralised: 0.9).sentence == nil)
    }

    @Test func sitesAloneMeanFallsBackToTheSiteAloneBaselines() {
        var summary = RunSummary.sample()
        summary.baselines.removeAll { $0.kind == .sitesAloneMean }
        let alone = summary.baselines.filter { $0.kind == .siteAlone }.map(\.metrics.accuracy)

        #expect(Verdict(summary).sitesAlone == alone.reduce(0, +) / Double(alone.count))
    }

    @Test func userTextIsEscapedEverywhere() {
        var summary = RunSummary.sample(classes: 3, sites: 2)
        summary.scenario = "<b>bold</b> & \"quoted\""
        summary.classNames[1] = "<script>alert('x')</script>"
        for index in summary.baselines.indices where summary.baselines[index].kind == .federated {
            summary.baselines[index].metrics.perClass[1].name = "<script>alert('x')</script>"
        }
        summary.sites[0].name = "site <img src=x onerror=alert(1)>"
        summary.settings.append(.init(key: "note</dt>", value: "a < b"))

        let html = ReportRenderer.html(for: summary)

        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>bold"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"))
        #expect(XMLCheck.problem(in: html) == nil)
    }

    @Test func worstSiteIsTheOneTheGlobalModelServesLeast() {
        let sites = [
            SiteSummary(name: "a", trainExamples: 1, testExamples: 1, aloneAccuracy: 0.5, globalAccuracy: 0.9),
            SiteSummary(name: "b", trainExamples: 1, testExamples: 1, aloneAccuracy: 0.8, globalAccuracy: 0.7),
            SiteSummary(name: "c", trainExamples: 1, testExamples: 1, aloneAccuracy: 0.6, globalAccuracy: .nan),
        ]

        #expect(SitesTable.worstSite(sites) == 1)
        #expect(ReportRenderer.html(for: RunSummary(scenario: "s", date: "d", sites: sites)).contains("worst"))
    }

    @Test func expectationsShowAsAChecklist() {
        #expect(Self.html.contains("3 of 4 met"))
        #expect(Self.html.occurrences(of: "<li class=\"pass\">") == 3)
        #expect(Self.html.occurrences(of: "<li class=\"fail\">") == 1)
    }
}
