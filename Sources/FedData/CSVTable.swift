import CSV
import Foundation

/// A CSV file with a header row, read whole: the column names and each record's
/// fields with the line it starts on (quoted fields may hold commas and newlines).
package struct CSVTable: Sendable {
    package struct Record: Sendable {
        /// 1-based line in the file where the record starts.
        package var line: Int
        package var fields: [String]
    }

    package var path: String
    package var header: [String]
    package var records: [Record]

    /// Reads and checks a CSV file: a header row, unique column names, and the same
    /// number of fields in every record. Blank lines are skipped.
    package static func read(contentsOf url: URL) throws -> CSVTable {
        let path = url.path
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw DataError.unreadable(
                path: path,
                reason: FileManager.default.fileExists(atPath: path)
                    ? "not UTF-8 text" : "no such file"
            )
        }
        return try parse(text, path: path)
    }

    /// Parses CSV text; `path` names it in errors.
    package static func parse(_ text: String, path: String) throws -> CSVTable {
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false)
        } catch {
            throw DataError.unreadable(path: path, reason: "\(error)")
        }
        guard let header = reader.next(), !(header.count == 1 && header[0].isEmpty) else {
            throw DataError.noHeader(path: path)
        }
        var seen = Set<String>()
        for column in header where !seen.insert(column).inserted {
            throw DataError.duplicateColumn(path: path, column: column)
        }
        // Lines are counted from the newlines inside each record's fields, so a quoted
        // multi-line field does not throw off the line numbers of later records.
        var line = 2 + newlines(in: header)
        var records: [Record] = []
        while let fields = reader.next() {
            defer { line += 1 + newlines(in: fields) }
            if fields.count == 1 && fields[0].isEmpty { continue }
            guard fields.count == header.count else {
                throw DataError.wrongColumnCount(path: path, line: line, expected: header.count, found: fields.count)
            }
            records.append(Record(line: line, fields: fields))
        }
        if let error = reader.error {
            throw DataError.unreadable(path: path, reason: "\(error) after line \(line - 1)")
        }
        return CSVTable(path: path, header: header, records: records)
    }

    /// The position of a column, or an error listing the columns there are.
    package func column(named name: String) throws -> Int {
        guard let index = self.header.firstIndex(of: name) else {
            throw DataError.missingColumn(path: self.path, column: name, available: self.header)
        }
        return index
    }

    private static func newlines(in fields: [String]) -> Int {
        fields.reduce(0) { count, field in count + field.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } }
    }
}
