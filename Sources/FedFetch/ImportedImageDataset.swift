import Foundation

/// An image dataset file in the cache (`<cache>/datasets/<name>/<name>.npz`) and the record
/// written beside it (`<name>.json`): where it came from, its SHA-256 and MD5, whether it is
/// the publisher's official file, and how many images of each class each split holds.
package struct ImportedImageDataset: Codable, Sendable, Equatable {
    package var dataset: String
    /// The .npz file's name inside the dataset's folder.
    package var file: String
    package var sha256: String
    package var md5: String
    /// Whether the MD5 is the publisher's (MedMNIST's INFO table for PneumoniaMNIST).
    package var official: Bool
    /// The path it was imported from, or the URL it was downloaded from.
    package var source: String
    /// For each split (`train`, `val`, `test`), the image count of each class in class order.
    package var classCounts: [String: [Int]]
    package var classNames: [String]

    /// The folder holding the file; set when read from the cache, not stored in the record.
    package var folder = URL(fileURLWithPath: "/")

    /// The .npz file.
    package var npz: URL { self.folder.appendingPathComponent(self.file) }

    package init(
        dataset: String,
        file: String,
        sha256: String,
        md5: String,
        official: Bool,
        source: String,
        classCounts: [String: [Int]],
        classNames: [String]
    ) {
        self.dataset = dataset
        self.file = file
        self.sha256 = sha256
        self.md5 = md5
        self.official = official
        self.source = source
        self.classCounts = classCounts
        self.classNames = classNames
    }

    private enum CodingKeys: String, CodingKey {
        case dataset, file, sha256, md5, official, source
        case classCounts = "class_counts"
        case classNames = "class_names"
    }

    /// The record's file name for `dataset`.
    static func recordName(_ dataset: String) -> String { "\(dataset).json" }

    /// The record in `folder`, with `folder` set, or nil when it is absent or unreadable.
    static func read(dataset: String, in folder: URL) -> ImportedImageDataset? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(self.recordName(dataset))),
            var record = try? JSONDecoder().decode(ImportedImageDataset.self, from: data)
        else { return nil }
        record.folder = folder
        return record
    }

    /// The record as pretty-printed JSON with sorted keys.
    var json: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
    }
}

/// Why an image dataset could not be fetched; each case says what to do instead.
package enum ImageDatasetError: Error, Equatable, CustomStringConvertible {
    /// The download failed (no network, refused, timed out, HTTP error).
    case downloadFailed(dataset: String, url: String, reason: String)
    /// A file arrived but is not the publisher's.
    case md5Mismatch(dataset: String, url: String, expected: String, actual: String)

    package var description: String {
        switch self {
        case .downloadFailed(let dataset, let url, let reason):
            return "could not download \(dataset) from \(url) (\(reason)), so this machine's network does not "
                + "reach it; run `fedtune datasets import \(dataset) FILE.npz` with a copy you have"
        case .md5Mismatch(let dataset, let url, let expected, let actual):
            return "the file downloaded from \(url) has MD5 \(actual), not the published \(expected), so nothing "
                + "was installed; run `fedtune datasets import \(dataset) FILE.npz` with a copy you have"
        }
    }
}
