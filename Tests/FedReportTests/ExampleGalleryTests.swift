import Foundation
import Testing

@testable import FedReport

@Suite struct ExampleGalleryTests {
    @Test func showsARowPerSiteOfPixelatedInlinePNGsWithSiteAndClass() {
        let summary = RunSummary.screeningSample()

        let html = ReportRenderer.html(for: summary)

        #expect(html.contains("<section class=\"block\" id=\"examples\"><h2>Example images</h2>"))
        #expect(html.occurrences(of: "<div class=\"example-row\">") == summary.sites.count)
        #expect(html.occurrences(of: "<img class=\"example\" src=\"data:image/png;base64,") == 4 * summary.sites.count)
        // Every src is an inline PNG: the page fetches nothing.
        #expect(html.occurrences(of: "src=\"") == html.occurrences(of: "src=\"data:image/png;base64,"))
        #expect(html.contains("image-rendering: pixelated"))
        for site in summary.sites {
            #expect(
                html.contains("<span class=\"site-name\">\(site.name)</span><span class=\"class\">pneumonia</span>")
            )
        }
        #expect(XMLCheck.problem(in: html) == nil)
    }

    @Test func leavesOutAnythingThatIsNotABase64PNGDataURI() {
        let site = SiteSummary(
            name: "<b>site</b>",
            trainExamples: 1,
            testExamples: 0,
            examples: [
                ExampleImage(className: "a", dataURI: "https://example.com/x.png", width: 8, height: 8),
                ExampleImage(
                    className: "b",
                    dataURI: "data:image/png;base64,AA\" onerror=\"alert(1)",
                    width: 8,
                    height: 8
                ),
                ExampleImage(className: "c", dataURI: "data:image/svg+xml;base64,PHN2Zz4=", width: 8, height: 8),
                ExampleImage(
                    className: "<i>d</i>",
                    dataURI: ExampleImage.pngPrefix + RunSummary.tinyPNGs[0],
                    width: 8,
                    height: 8
                ),
            ]
        )

        let html = ExampleGallery.html(sites: [site])

        #expect(html.occurrences(of: "<img") == 1)
        #expect(!html.contains("https:") && !html.contains("onerror") && !html.contains("svg+xml"))
        #expect(html.contains("&lt;i&gt;d&lt;/i&gt;") && html.contains("&lt;b&gt;site&lt;/b&gt;"))
        #expect(XMLCheck.problem(in: html) == nil)
    }

    @Test func sitesWithoutExamplesDrawNoGallery() {
        #expect(ExampleGallery.html(sites: RunSummary.sample().sites).isEmpty)
        #expect(!ReportRenderer.html(for: .sample()).contains("id=\"examples\""))
    }
}
