import FedTensor
import Foundation

extension Dataset {
    /// Reads a CSV of numeric features and one label column.
    ///
    /// - Parameters:
    ///   - labelColumn: the name of the column holding class labels (any text).
    ///   - featureColumns: the feature columns in the order a model expects; nil takes
    ///     every column but the label, in file order.
    ///   - classNames: the classes a model knows, in its order; nil collects them from
    ///     the file (numeric labels sorted as numbers, others as text). A label outside
    ///     a given list is an error naming its line.
    package static func readCSV(
        _ url: URL,
        labelColumn: String,
        featureColumns: [String]? = nil,
        classNames: [String]? = nil
    ) throws -> Dataset {
        let table = try CSVTable.read(contentsOf: url)
        return try Dataset(
            table: table,
            labelColumn: labelColumn,
            featureColumns: featureColumns,
            classNames: classNames
        )
    }

    /// Builds a dataset from a parsed table (see `readCSV`).
    package init(
        table: CSVTable,
        labelColumn: String,
        featureColumns: [String]? = nil,
        classNames: [String]? = nil
    ) throws {
        let labelIndex = try table.column(named: labelColumn)
        let names = featureColumns ?? table.header.filter { $0 != labelColumn }
        let featureIndices = try names.map { try table.column(named: $0) }
        guard !table.records.isEmpty else { throw DataError.noRows(path: table.path) }

        var rawLabels: [String] = []
        rawLabels.reserveCapacity(table.records.count)
        var features = Tensor(shape: [table.records.count, names.count])
        for (row, record) in table.records.enumerated() {
            let label = record.fields[labelIndex].trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty else {
                throw DataError.emptyLabel(path: table.path, line: record.line, column: labelColumn)
            }
            rawLabels.append(label)
            for (column, fieldIndex) in featureIndices.enumerated() {
                let text = record.fields[fieldIndex].trimmingCharacters(in: .whitespaces)
                guard let value = Float(text), value.isFinite else {
                    throw DataError.notNumeric(path: table.path, line: record.line, column: names[column], value: text)
                }
                features.scalars[row * names.count + column] = value
            }
        }

        let classes = classNames ?? Dataset.orderedClassNames(Set(rawLabels))
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var labels: [Int] = []
        labels.reserveCapacity(rawLabels.count)
        for (row, label) in rawLabels.enumerated() {
            guard let index = classIndex[label] else {
                throw DataError.unknownLabel(
                    path: table.path,
                    line: table.records[row].line,
                    label: label,
                    known: classes
                )
            }
            labels.append(index)
        }
        self.init(features: features, labels: labels, featureNames: names, classNames: classes)
    }

    /// Class names in a stable order: numerically when every label is a number
    /// (so "10" follows "9"), otherwise by text.
    package static func orderedClassNames(_ labels: Set<String>) -> [String] {
        if labels.allSatisfy({ Double($0) != nil }) {
            return labels.sorted { Double($0)! < Double($1)! }
        }
        return labels.sorted()
    }
}
