import FedFetch
import FedImage
import Foundation
import Testing

/// `fedtune datasets import|fetch pneumoniamnist`, against a temporary cache.
struct PneumoniaMNISTImportTests {
    /// The repository's copy (../shared/datasets from the repository root; see its README).
    static let shared = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/datasets/pneumoniamnist.npz").standardizedFileURL

    /// Arrays in PneumoniaMNIST's layout with two images per split.
    static func arrays() -> [String: NumPyArray] {
        var arrays: [String: NumPyArray] = [:]
        for split in ["train", "val", "test"] {
            arrays["\(split)_images"] = NumPyArray(shape: [2, 28, 28], uint8: [UInt8](repeating: 9, count: 2 * 784))
            arrays["\(split)_labels"] = NumPyArray(shape: [2, 1], uint8: [0, 1])
        }
        return arrays
    }

    static func write(_ arrays: [String: NumPyArray], in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("crafted-\(UUID().uuidString).npz")
        try NumPyArchive.write(arrays, to: url)
        return url
    }

    @Test func importsTheSharedCopyAndRecordsItsHashes() throws {
        guard FileManager.default.fileExists(atPath: Self.shared.path) else {
            print("skipped: \(Self.shared.path) is absent")
            return
        }
        try withTemporaryFolder { folder in
            let cache = ArtifactCache(root: folder, pip: forbiddenPip)

            let record = try cache.importPneumoniaMNIST(from: Self.shared)

            #expect(record.sha256 == "a554d2332488d3ddc075125e66a1af77ec379fd2bafc09108ab95a37e2bd9c26")
            #expect(!record.official)
            #expect(record.classCounts == ["train": [388, 3494], "val": [135, 389], "test": [234, 390]])
            #expect(record.npz.path == folder.appendingPathComponent("datasets/pneumoniamnist/pneumoniamnist.npz").path)
            #expect(try SHA256File.hex(of: record.npz) == record.sha256)
            let recordFile = record.folder.appendingPathComponent("pneumoniamnist.json")
            let json = try String(contentsOf: recordFile, encoding: .utf8)
            #expect(json.contains("\"sha256\" : \"a554d233"))
            #expect(cache.pneumoniaMNIST() == record)
            // Fetch finds the imported copy and never reaches the network.
            let fetched = try cache.fetchPneumoniaMNIST(from: URL(string: "http://127.0.0.1:9/never")!, timeout: 1)
            #expect(fetched == record)
        }
    }

    @Test func importRefusesAMissingArrayNamingIt() throws {
        try withTemporaryFolder { folder in
            var arrays = Self.arrays()
            arrays["val_labels"] = nil
            let file = try Self.write(arrays, in: folder)
            let cache = ArtifactCache(root: folder.appendingPathComponent("cache"), pip: forbiddenPip)

            let error = #expect(throws: ImageError.self) { try cache.importPneumoniaMNIST(from: file) }

            #expect(
                error?.description == "\(file.path): has no array 'val_labels'; it holds test_images, test_labels, "
                    + "train_images, train_labels, val_images"
            )
            #expect(cache.pneumoniaMNIST() == nil)
        }
    }

    @Test func importRefusesLabelTwo() throws {
        try withTemporaryFolder { folder in
            var arrays = Self.arrays()
            arrays["train_labels"] = NumPyArray(shape: [2, 1], uint8: [2, 1])
            let file = try Self.write(arrays, in: folder)
            let cache = ArtifactCache(root: folder.appendingPathComponent("cache"), pip: forbiddenPip)

            let error = #expect(throws: ImageError.self) { try cache.importPneumoniaMNIST(from: file) }

            #expect(
                error?.description == "\(file.path): array 'train_labels' has label 2 at index 0, but there are "
                    + "2 classes (labels 0...1)"
            )
        }
    }

    @Test func importRefusesAWrongDTypeAndShape() throws {
        try withTemporaryFolder { folder in
            var floats = Self.arrays()
            floats["test_images"] = NumPyArray(shape: [2, 28, 28], float32: [Float](repeating: 0.5, count: 2 * 784))
            var wide = Self.arrays()
            wide["train_images"] = NumPyArray(shape: [2, 32, 32], uint8: [UInt8](repeating: 0, count: 2 * 1024))
            let cache = ArtifactCache(root: folder.appendingPathComponent("cache"), pip: forbiddenPip)
            let floatFile = try Self.write(floats, in: folder)
            let wideFile = try Self.write(wide, in: folder)

            let dtype = #expect(throws: ImageError.self) { try cache.importPneumoniaMNIST(from: floatFile) }
            let shape = #expect(throws: ImageError.self) { try cache.importPneumoniaMNIST(from: wideFile) }

            #expect(dtype?.description == "\(floatFile.path): array 'test_images' holds float32, expected uint8")
            #expect(
                shape?.description
                    == "\(wideFile.path): array 'train_images' has shape [2, 32, 32], expected [N, 28, 28]"
            )
        }
    }

    @Test func importReplacesAnEarlierCopy() throws {
        try withTemporaryFolder { folder in
            let cache = ArtifactCache(root: folder.appendingPathComponent("cache"), pip: forbiddenPip)
            var other = Self.arrays()
            other["test_labels"] = NumPyArray(shape: [2, 1], uint8: [1, 1])

            let first = try cache.importPneumoniaMNIST(from: try Self.write(Self.arrays(), in: folder))
            let second = try cache.importPneumoniaMNIST(from: try Self.write(other, in: folder))

            #expect(first.sha256 != second.sha256)
            #expect(cache.pneumoniaMNIST()?.sha256 == second.sha256)
            #expect(second.classCounts["test"] == [0, 2])
        }
    }

    @Test func fetchSaysTheNetworkRefusedAndPointsToImport() throws {
        try withTemporaryFolder { folder in
            let cache = ArtifactCache(root: folder, pip: forbiddenPip)
            // Port 9 (discard) on the loopback: nothing listens, so the connection is refused at once.
            let url = URL(string: "http://127.0.0.1:9/pneumoniamnist.npz")!

            let error = #expect(throws: ImageDatasetError.self) {
                try cache.fetchPneumoniaMNIST(from: url, timeout: 5)
            }

            guard case .downloadFailed(let dataset, let address, _)? = error else {
                Issue.record("expected a download failure, got \(String(describing: error))")
                return
            }
            #expect(dataset == "pneumoniamnist" && address == url.absoluteString)
            let advice = "run `fedtune datasets import pneumoniamnist FILE.npz` with a copy you have"
            #expect(error?.description.contains(advice) == true)
            #expect(cache.pneumoniaMNIST() == nil)
        }
    }

    @Test func fetchRefusesAFileWhoseMD5IsNotMedMNISTs() throws {
        guard FileManager.default.fileExists(atPath: Self.shared.path) else {
            print("skipped: \(Self.shared.path) is absent")
            return
        }
        try withTemporaryFolder { folder in
            let cache = ArtifactCache(root: folder, pip: forbiddenPip)

            // The shared copy is not the official file (its training split differs), so its MD5 differs.
            let url = URL(string: "https://example.org/pneumoniamnist.npz")!
            let error = #expect(throws: ImageDatasetError.self) {
                try cache.fetchPneumoniaMNIST(from: url, download: { _, _ in try Data(contentsOf: Self.shared) })
            }

            guard case .md5Mismatch(_, _, let expected, _)? = error else {
                Issue.record("expected an MD5 mismatch, got \(String(describing: error))")
                return
            }
            #expect(expected == "28209eda62fecd6e6a2d98b1501bb15f")
            #expect(cache.pneumoniaMNIST() == nil)
        }
    }
}
