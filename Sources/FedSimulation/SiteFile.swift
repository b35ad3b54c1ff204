import FedData
import FedFetch
import FedImage
import Foundation

/// A site's private data as a `fedtune client` process reads it: the examples as they
/// were before any preprocessing (a site standardises with the model's statistics and
/// tokenises with the model's vocabulary itself), in the order the simulation split them.
package enum SiteFile: Sendable {
    /// Numeric features, unstandardised, and a `label` column of class names.
    case table(Dataset)
    /// A `text` column and a `label` column of class names.
    case texts(texts: [String], labels: [String])
    /// Images as the site's scanner rendered them, labels indexing the model's classes (an .npz).
    case images(ImageSet)

    /// The file's name in the site's folder.
    package var fileName: String {
        switch self {
        case .table, .texts: "data.csv"
        case .images: "data.npz"
        }
    }

    /// Writes the CSV file.
    package func write(to url: URL) throws {
        switch self {
        case .table(let data):
            try data.writeCSV(to: url, labelColumn: "label")
        case .texts(let texts, let labels):
            try CSVText.write(header: ["text", "label"], rows: zip(texts, labels).map { [$0, $1] }, to: url)
        case .images(let images):
            try images.writeNPZ(to: url)
        }
    }

    /// How `fedtune client` is told to read the file.
    package var clientArguments: [String] {
        switch self {
        case .table: ["--label", "label"]
        case .texts: ["--label", "label", "--text-column", "text"]
        case .images: []
        }
    }
}
