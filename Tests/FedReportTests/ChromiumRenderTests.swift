import FedTestSupport
import Foundation
import Testing

@testable import FedReport

/// The report as a browser renders it: headless Chromium must load it offline, build the
/// charts and tables into its DOM, and paint it to a PNG (kept for people to look at).
@Suite(.serialized) struct ChromiumRenderTests {
    static let screenshot = URL(fileURLWithPath: "/tmp/fedtune-report.png")

    /// Writes `summary`'s report (the sample's by default) to a temporary file.
    static func reportFile(_ summary: RunSummary = .sample()) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fedtune-report-\(UUID().uuidString).html"
        )
        try ReportRenderer.html(for: summary).write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The DOM Chromium builds from `summary`'s report; records an issue when Chromium is
    /// missing, fails or runs out of time (nil then).
    static func dom(of summary: RunSummary) throws -> String? {
        guard let chromium = Chromium.required() else { return nil }
        let file = try Self.reportFile(summary)
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try chromium.run(["--dump-dom", file.absoluteString])
        #expect(!run.timedOut, "chromium did not finish in 60 s")
        #expect(run.status == 0)
        return run.text
    }

    @Test func domHasTheChartsAndTheComparisonTable() throws {
        guard let dom = try Self.dom(of: .sample()) else { return }
        #expect(dom.occurrences(of: "<svg") == 6)
        for id in ["chart-accuracy", "chart-loss", "chart-sites", "chart-confusion", "chart-labels", "chart-bytes"] {
            #expect(dom.contains("id=\"\(id)\""), "DOM lacks \(id)")
        }
        #expect(dom.contains("<table class=\"data comparison\">"))
        #expect(dom.occurrences(of: "<tr class=\"kind-") == RunSummary.sample().baselines.count)
        #expect(dom.contains("Federated (FedAvg)"))
    }

    @Test func screeningRunShowsItsTableAndExampleImages() throws {
        let summary = RunSummary.screeningSample()
        guard let dom = try Self.dom(of: summary) else { return }
        #expect(dom.contains("<table class=\"data screening\">"))
        #expect(dom.occurrences(of: "<img class=\"example\"") == 4 * summary.sites.count)
        #expect(dom.contains("as a screening test for pneumonia"))
    }

    @Test func privateRunShowsItsPrivacySectionAndCharts() throws {
        guard let dom = try Self.dom(of: .privateSample(adaptive: true)) else { return }
        #expect(dom.occurrences(of: "<svg") == 8)
        for id in ["privacy", "privacy-statement", "chart-privacy-epsilon", "chart-privacy-clip"] {
            #expect(dom.contains("id=\"\(id)\""), "DOM lacks \(id)")
        }
        #expect(dom.contains("What is not protected"))
    }

    @Test func roundsAndSitesRenderInTheDOM() throws {
        let summary = RunSummary.roundsSample()
        guard let dom = try Self.dom(of: summary) else { return }
        #expect(dom.occurrences(of: "<svg") == 13)
        for id in [
            "rounds", "chart-labels", "chart-participation", "chart-site-train-loss", "chart-site-train-accuracy",
            "chart-site-heldout", "chart-bytes", "chart-seconds", "chart-norms", "chart-clip", "failures",
        ] {
            #expect(dom.contains("id=\"\(id)\""), "DOM lacks \(id)")
        }
        // The browser built one cell per site and class of the label map.
        #expect(dom.occurrences(of: "training examples of") == summary.sites.count * summary.classNames.count)
    }

    @Test func screenshotIsAPNG() throws {
        guard let chromium = Chromium.required() else { return }
        let file = try Self.reportFile()
        defer { try? FileManager.default.removeItem(at: file) }
        try? FileManager.default.removeItem(at: Self.screenshot)

        let run = try chromium.run([
            "--hide-scrollbars", "--screenshot=\(Self.screenshot.path)", "--window-size=1200,2400", file.absoluteString,
        ])
        let png = try Data(contentsOf: Self.screenshot)

        #expect(!run.timedOut, "chromium did not finish in 60 s")
        #expect(run.status == 0)
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR width, big-endian at bytes 16…19.
        let width = png.dropFirst(16).prefix(4).reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1200)
        #expect(png.count > 50_000, "a \(png.count)-byte screenshot is too small to show the report")
    }
}
