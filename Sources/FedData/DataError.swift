/// Why a data file could not be used; every case says which file, and where the fault
/// is inside it, as `file:line` and the column's name.
package enum DataError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case noHeader(path: String)
    case duplicateColumn(path: String, column: String)
    case missingColumn(path: String, column: String, available: [String])
    case wrongColumnCount(path: String, line: Int, expected: Int, found: Int)
    case notNumeric(path: String, line: Int, column: String, value: String)
    case emptyLabel(path: String, line: Int, column: String)
    case noRows(path: String)
    case unknownLabel(path: String, line: Int, label: String, known: [String])
    case tooFewExamples(path: String, detail: String)
    /// A partition across sites that cannot be made as asked (site count, alpha, column).
    case invalidPartition(detail: String)

    package var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .noHeader(let path):
            return "\(path): the file is empty; a CSV needs a header row naming its columns"
        case .duplicateColumn(let path, let column):
            return "\(path):1: column '\(column)' appears twice in the header"
        case .missingColumn(let path, let column, let available):
            return "\(path):1: no column named '\(column)' (columns: \(available.joined(separator: ", ")))"
        case .wrongColumnCount(let path, let line, let expected, let found):
            return "\(path):\(line): \(found) fields, the header has \(expected)"
        case .notNumeric(let path, let line, let column, let value):
            return "\(path):\(line): column '\(column)': '\(value)' is not a number"
        case .emptyLabel(let path, let line, let column):
            return "\(path):\(line): column '\(column)': the label is empty"
        case .noRows(let path):
            return "\(path): the file has a header but no rows"
        case .unknownLabel(let path, let line, let label, let known):
            return "\(path):\(line): label '\(label)' is not one the model knows (\(known.joined(separator: ", ")))"
        case .tooFewExamples(let path, let detail):
            return "\(path): \(detail)"
        case .invalidPartition(let detail):
            return "partition: \(detail)"
        }
    }
}
