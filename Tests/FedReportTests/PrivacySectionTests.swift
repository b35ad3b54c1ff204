import Foundation
import Testing

@testable import FedReport

extension RunSummary {
    /// The sample run under DP-FedAvg: ε grows as √round, to 3.2 after `rounds` rounds.
    static func privateSample(
        rounds: Int = 12,
        target: Double? = 4,
        asked: Int? = nil,
        adaptive: Bool = false,
        secureAggregation: Bool? = nil
    ) -> RunSummary {
        var summary = RunSummary.sample(rounds: rounds)
        let epsilons = (1...rounds).map { 3.2 * (Double($0) / Double(rounds)).squareRoot() }
        let norms = adaptive ? (0..<rounds).map { 0.5 * exp(-0.05 * Double($0)) } : nil
        summary.privacy = PrivacySummary(
            sampling: "poisson",
            sampleRate: 0.2,
            noiseMultiplier: 1.1,
            updateNoiseMultiplier: adaptive ? 1.27 : 1.1,
            clipNorm: 0.5,
            lastClipNorm: norms?.last,
            adaptiveClipping: adaptive,
            expectedSites: 20,
            noiseStddev: adaptive ? 0.635 : 0.55,
            delta: 1e-5,
            epsilon: epsilons.last!,
            targetEpsilon: target,
            roundsRun: rounds,
            roundsAsked: asked ?? rounds,
            endedByBudget: (asked ?? rounds) > rounds,
            epsilonPerRound: epsilons,
            clipNormPerRound: norms,
            secureAggregation: secureAggregation
        )
        return summary
    }
}

@Suite struct PrivacySectionTests {
    /// The `<svg …>` element whose id is `id`, if the page has one.
    private func svg(_ id: String, in html: String) -> String? {
        XMLCheck.svgElements(in: html).first { $0.contains("id=\"\(id)\"") }
    }

    @Test func aRunWithoutPrivacyHasNoPrivacySection() {
        let html = ReportRenderer.html(for: .sample())

        #expect(!html.contains("id=\"privacy\""))
        #expect(!html.contains("chart-privacy"))
        #expect(!html.contains("Privacy per site"))
        #expect(PrivacySection.html(for: .sample()).isEmpty)
    }

    @Test func aPrivateRunHasTheSectionWithItsStatementFirst() throws {
        let html = ReportRenderer.html(for: .privateSample())

        let section = try #require(
            html.components(separatedBy: "<section class=\"block privacy\" id=\"privacy\">").last?
                .components(separatedBy: "</section>").first
        )
        #expect(section.contains("<h2>Privacy</h2>"))
        let statement = try #require(section.range(of: "id=\"privacy-statement\""))
        let table = try #require(section.range(of: "<table class=\"data privacy-numbers\">"))
        #expect(statement.lowerBound < table.lowerBound)
        #expect(section.contains("What is not protected"))
        #expect(section.occurrences(of: "<li>") == 6)
        #expect(html.contains("Privacy per site"))
        #expect(XMLCheck.problem(in: html) == nil)
    }

    @Test func theStatementGivesEpsilonDeltaAndRoundsOfTheRun() {
        let privacy = RunSummary.privateSample(rounds: 30).privacy!

        let statement = PrivacySection.statement(privacy)

        #expect(
            statement.hasPrefix(
                "Each site's participation is (ε = 3.20, δ = 1e-5)-differentially private over the 30 rounds: "
            )
        )
        // e^3.2 ≈ 24.5: the factor a site can move any outcome by.
        #expect(statement.contains("e^ε = 24.5"))
        #expect(statement.contains("stayed within its budget, target ε = 4"))
    }

    @Test func theStatementSaysWhenTheBudgetEndedTheRun() {
        let privacy = RunSummary.privateSample(rounds: 18, target: 3.2, asked: 30).privacy!

        let statement = PrivacySection.statement(privacy)

        #expect(statement.contains("over the 18 rounds"))
        #expect(statement.contains("The budget ended the run: target ε = 3.2 allowed 18 of the 30 rounds asked"))
        #expect(privacy.consoleLine.hasSuffix("the budget ended the run after 18 of the 30 rounds asked"))
    }

    @Test func epsilonReadsWithTwoDecimalsOrAsAnExponentWhenNextToNoNoise() {
        #expect(PrivacySummary.epsilonText(3.2071) == "3.21")
        #expect(PrivacySummary.epsilonText(2.2e13) == "2.2e+13")
        #expect(PrivacySummary.epsilonText(.infinity) == "∞")
        var privacy = RunSummary.privateSample().privacy!
        privacy.epsilon = 2.2e13
        #expect(PrivacySection.statement(privacy).contains("e^ε (too large to state)"))
        #expect(PrivacySection.statement(privacy).contains("that bound is weak"))
    }

    @Test func theNumbersTableShowsTheMechanism() throws {
        let html = ReportRenderer.html(for: .privateSample())
        let table = try #require(
            html.components(separatedBy: "<table class=\"data privacy-numbers\">").last?
                .components(separatedBy: "</table>").first
        )

        for (name, value) in [
            ("Noise multiplier z", "1.1"), ("Update noise multiplier z_Δ", "1.1"), ("Clip norm C", "0.5"),
            ("Sampling", "Poisson, q = 0.2"), ("Expected sites per round", "20"), ("Noise σ", "0.55"),
            ("δ", "1e-5"), ("ε", "3.20"), ("Target ε", "4"),
        ] {
            #expect(
                table.contains("<th scope=\"row\">\(name.htmlEscaped)</th><td class=\"num\">\(value)</td>"),
                "\(name) is not \(value)"
            )
        }
        #expect(!table.contains("Secure aggregation"))
    }

    @Test func theEpsilonChartHasAPointPerRoundAndTheTarget() throws {
        for rounds in [1, 7, 30] {
            let html = ReportRenderer.html(for: .privateSample(rounds: rounds))

            let chart = try #require(self.svg("chart-privacy-epsilon", in: html))
            #expect(chart.occurrences(of: "<title>\(PrivacyCharts.epsilonSeries), round ") == rounds)
            #expect(chart.contains("Target ε"))
            #expect(XMLCheck.problem(in: chart) == nil)
        }
        #expect(self.svg("chart-privacy-clip", in: ReportRenderer.html(for: .privateSample())) == nil)
    }

    @Test func adaptiveClippingAddsTheClipNormChart() throws {
        let html = ReportRenderer.html(for: .privateSample(rounds: 9, adaptive: true))

        let chart = try #require(self.svg("chart-privacy-clip", in: html))
        #expect(chart.occurrences(of: "<title>\(PrivacyCharts.clipSeries), round ") == 9)
        #expect(html.contains("0.5 → 0.335 (adaptive)"))
        #expect(html.contains("Above z: adaptive clipping"))
    }

    @Test func secureAggregationChangesWhatTheCoordinatorSees() {
        let on = PrivacySection.notProtected(RunSummary.privateSample(secureAggregation: true).privacy!)
        let off = PrivacySection.notProtected(RunSummary.privateSample().privacy!)

        #expect(on[0].hasPrefix("Secure aggregation was on, so the coordinator saw only the sum"))
        #expect(off[0].hasPrefix("The coordinator sees each sampled site's clipped update"))
        #expect(ReportRenderer.html(for: .privateSample(secureAggregation: true)).contains(">Secure aggregation<"))
    }

    @Test func whetherTheNoiseIsSecretFollowsWhereItCameFrom() {
        var privacy = RunSummary.privateSample().privacy!
        privacy.noiseSource = "seed"
        #expect(PrivacySection.notProtected(privacy)[4].hasPrefix("This simulation drew its noise"))
        privacy.noiseSource = "privacy.key"
        #expect(
            PrivacySection.notProtected(privacy)[4].hasPrefix(
                "The noise and the sampling were drawn from the coordinator's secret key"
            )
        )
        privacy.noiseSource = nil
        #expect(PrivacySection.notProtected(privacy)[4].hasPrefix("A simulation in process draws"))
    }

    @Test func theSectionIsSelfContained() {
        let html = ReportRenderer.html(for: .privateSample(adaptive: true))

        for external in ["<script", "<link", "src=", "href=", "@import", "url("] {
            #expect(!html.contains(external), "found \(external)")
        }
    }

    @Test func privacyRoundTripsThroughSummaryJSON() throws {
        let summary = RunSummary.privateSample(rounds: 5, adaptive: true, secureAggregation: true)

        let json = String(decoding: try summary.jsonData(), as: UTF8.self)

        #expect(try RunSummary.decode(from: Data(json.utf8)) == summary)
        for key in ["\"privacy\"", "\"epsilonPerRound\"", "\"endedByBudget\"", "\"secureAggregation\""] {
            #expect(json.contains(key), "missing \(key)")
        }
        #expect(!String(decoding: try RunSummary.sample().jsonData(), as: UTF8.self).contains("\"privacy\""))
    }
}
