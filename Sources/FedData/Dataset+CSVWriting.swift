import CSV
import FedTensor
import Foundation

extension Dataset {
    /// The dataset as CSV text: the feature columns then `labelColumn`, holding class names.
    package func csvText(labelColumn: String = "label") throws -> String {
        let writer = try CSVWriter(stream: .toMemory())
        try writer.write(row: self.featureNames + [labelColumn])
        let f = self.featureCount
        for row in 0..<self.count {
            let values = (0..<f).map { String(self.features.scalars[row * f + $0]) }
            try writer.write(row: values + [self.classNames[self.labels[row]]])
        }
        writer.stream.close()
        guard let data = writer.stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
            throw DataError.unreadable(path: "memory", reason: "CSV writer produced no data")
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Writes the dataset as a CSV file (see `csvText`), atomically.
    package func writeCSV(to url: URL, labelColumn: String = "label") throws {
        try Data(try self.csvText(labelColumn: labelColumn).utf8).write(to: url, options: .atomic)
    }
}
