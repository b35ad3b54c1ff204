import Foundation

/// Texts with class labels, read from a CSV file (a text column and a label column) or a
/// JSON Lines file (one object per line with those keys). Labels become indices into
/// `classNames`; errors name the file, the line and the column.
package struct LabeledTexts: Sendable {
    package var texts: [String]
    package var labels: [Int]
    package var classNames: [String]
    /// Other columns kept as text (e.g. a `topic` column to partition sites by).
    package var extraColumns: [String: [String]]

    package init(texts: [String], labels: [Int], classNames: [String], extraColumns: [String: [String]] = [:]) {
        self.texts = texts
        self.labels = labels
        self.classNames = classNames
        self.extraColumns = extraColumns
    }

    package var count: Int { self.labels.count }

    /// Reads `.jsonl` files as JSON Lines and anything else as CSV. `classNames`, when
    /// given, fixes the label order (a model's classes); otherwise it is the sorted labels.
    package static func read(
        _ url: URL,
        textColumn: String,
        labelColumn: String,
        classNames: [String]? = nil
    ) throws -> LabeledTexts {
        let rows: [(line: Int, text: String, label: String, extra: [String: String])]
        if url.pathExtension.lowercased() == "jsonl" {
            rows = try self.jsonLines(url, textColumn: textColumn, labelColumn: labelColumn)
        } else {
            let table = try CSVTable.read(contentsOf: url)
            let (textIndex, labelIndex) = (try table.column(named: textColumn), try table.column(named: labelColumn))
            let others = table.header.enumerated().filter { $0.offset != textIndex && $0.offset != labelIndex }
            rows = table.records.map { record in
                (
                    record.line, record.fields[textIndex],
                    record.fields[labelIndex].trimmingCharacters(in: .whitespaces),
                    Dictionary(uniqueKeysWithValues: others.map { ($0.element, record.fields[$0.offset]) })
                )
            }
        }
        guard !rows.isEmpty else { throw DataError.noRows(path: url.path) }
        for row in rows where row.label.isEmpty {
            throw DataError.emptyLabel(path: url.path, line: row.line, column: labelColumn)
        }
        let classes = classNames ?? Dataset.orderedClassNames(Set(rows.map(\.label)))
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var labels: [Int] = []
        for row in rows {
            guard let label = index[row.label] else {
                throw DataError.unknownLabel(path: url.path, line: row.line, label: row.label, known: classes)
            }
            labels.append(label)
        }
        var extra: [String: [String]] = [:]
        for key in rows[0].extra.keys { extra[key] = rows.map { $0.extra[key] ?? "" } }
        return LabeledTexts(texts: rows.map(\.text), labels: labels, classNames: classes, extraColumns: extra)
    }

    private static func jsonLines(
        _ url: URL,
        textColumn: String,
        labelColumn: String
    ) throws
        -> [(line: Int, text: String, label: String, extra: [String: String])]
    {
        var rows: [(line: Int, text: String, label: String, extra: [String: String])] = []
        for (line, object) in try JSONLines.objects(url) {
            let text = try JSONLines.text(object, key: textColumn, line: line, path: url.path)
            guard let label = object[labelColumn].map({ "\($0)" }) else {
                throw DataError.missingColumn(
                    path: "\(url.path):\(line)",
                    column: labelColumn,
                    available: object.keys.sorted()
                )
            }
            var extra: [String: String] = [:]
            for (key, value) in object where key != textColumn && key != labelColumn { extra[key] = "\(value)" }
            rows.append((line, text, label.trimmingCharacters(in: .whitespaces), extra))
        }
        return rows
    }

    /// The examples at `indices`, in that order.
    package func subset(_ indices: [Int]) -> LabeledTexts {
        LabeledTexts(
            texts: indices.map { self.texts[$0] },
            labels: indices.map { self.labels[$0] },
            classNames: self.classNames,
            extraColumns: self.extraColumns.mapValues { column in indices.map { column[$0] } }
        )
    }
}
