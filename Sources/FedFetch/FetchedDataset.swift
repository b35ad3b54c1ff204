import Foundation

/// A dataset ready in the cache: its folder and the CSV files in it, main file first.
package struct FetchedDataset: Sendable, Equatable {
    package let name: String
    package let folder: URL
    package let csvFiles: [URL]

    package init(name: String, folder: URL, csvFiles: [URL]) {
        self.name = name
        self.folder = folder
        self.csvFiles = csvFiles
    }

    /// The main CSV file (the first one).
    package var csv: URL { self.csvFiles[0] }
}
