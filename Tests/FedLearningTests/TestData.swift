import FedData
import FedTensor
import Foundation

/// Temporary folders and CSV files for tests that go through files like a user would.
enum TestData {
    static func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fedtune-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes a dataset as CSV with a `label` column holding class names.
    static func writeCSV(_ data: Dataset, to url: URL) throws {
        var text = (data.featureNames + ["label"]).joined(separator: ",") + "\n"
        for row in 0..<data.count {
            let values = (0..<data.featureCount).map { String(data.features.scalars[row * data.featureCount + $0]) }
            text += (values + [data.classNames[data.labels[row]]]).joined(separator: ",") + "\n"
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}
