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
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataError.unreadable(path: url.path, reason: "no such file")
        }
        var texts: [String] = []
        for (offset, line) in String(decoding: data, as: UTF8.self).split(
            separator: "\n",
            omittingEmptySubsequences: false
        ).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw DataError.unreadable(path: url.path, reason: "line \(offset + 1) is not a JSON object")
            }
            guard let text = object[column] as? String else {
                throw DataError.missingColumn(
                    path: "\(url.path):\(offset + 1)",
                    column: column,
                    available: object.keys.sorted()
                )
            }
            texts.append(text)
        }
        return texts
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
