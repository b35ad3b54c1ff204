import FedTensor
import Foundation

/// Inputs to predict on: rows with no label, read by the columns a model names.
package enum UnlabeledRows {
    /// The text of every row: a CSV column, or a key of each JSON Lines object (`.jsonl`).
    package static func texts(_ url: URL, column: String) throws -> [String] {
        guard url.pathExtension.lowercased() == "jsonl" else {
            let table = try CSVTable.read(contentsOf: url)
            let index = try table.column(named: column)
            return table.records.map { $0.fields[index] }
        }
        return try JSONLines.objects(url).map {
            try JSONLines.text($0.object, key: column, line: $0.line, path: url.path)
        }
    }

    /// The named numeric columns of a CSV file as a [rows, columns] tensor, in `columns`' order.
    package static func features(_ url: URL, columns: [String]) throws -> Tensor {
        let table = try CSVTable.read(contentsOf: url)
        let indices = try columns.map { try table.column(named: $0) }
        var features = Tensor(shape: [table.records.count, columns.count])
        for (row, record) in table.records.enumerated() {
            for (column, index) in indices.enumerated() {
                let text = record.fields[index].trimmingCharacters(in: .whitespaces)
                guard let value = Float(text) else {
                    throw DataError.notNumeric(
                        path: table.path,
                        line: record.line,
                        column: columns[column],
                        value: text
                    )
                }
                features.scalars[row * columns.count + column] = value
            }
        }
        return features
    }
}
