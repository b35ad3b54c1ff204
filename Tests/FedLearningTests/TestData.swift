import FedData
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
        try data.writeCSV(to: url)
    }
}
