import CSV
import Foundation

/// Writes RFC 4180 CSV: a field holding a comma, quote or line break is quoted, with its
/// quotes doubled; rows end in `\n`. What it writes reads back field for field with
/// yaslab/CSV.swift's `CSVReader` and FedData's `CSVTable`.
package enum CSVText {
    /// One field, quoted only when it has to be.
    package static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return value
        }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A header and rows as CSV text.
    package static func text(header: [String], rows: [[String]]) -> String {
        var text = ""
        text.reserveCapacity(rows.count * 64)
        for row in [header] + rows {
            text += row.map(self.field).joined(separator: ",")
            text += "\n"
        }
        return text
    }

    /// Writes the CSV to `url` (inside a folder that is renamed into place afterwards, so
    /// the write itself need not be atomic).
    package static func write(header: [String], rows: [[String]], to url: URL) throws {
        do {
            try Data(self.text(header: header, rows: rows).utf8).write(to: url)
        } catch {
            throw FetchError.io(path: url.path, reason: "cannot write CSV: \(error.localizedDescription)")
        }
    }

    /// Reads a CSV file written by `write` back with yaslab/CSV.swift's `CSVReader`: the
    /// header and every record's fields. Used to check that what was written round-trips.
    package static func read(contentsOf url: URL) throws -> (header: [String], rows: [[String]]) {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw FetchError.io(path: url.path, reason: "cannot read as UTF-8: \(error.localizedDescription)")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: false)
        } catch {
            throw FetchError.unexpectedContent(path: url.path, detail: "not CSV: \(error)")
        }
        guard let header = reader.next() else {
            throw FetchError.unexpectedContent(path: url.path, detail: "empty file")
        }
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        if let error = reader.error {
            throw FetchError.unexpectedContent(path: url.path, detail: "CSV error after record \(rows.count): \(error)")
        }
        return (header, rows)
    }
}
