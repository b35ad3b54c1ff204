import Foundation

/// Reads scikit-learn's bundled numeric data files: comma-separated lines of feature values
/// ending in an integer class index, with no quoting.
enum NumericCSV {
    static func lines(_ url: URL) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw FetchError.io(path: url.path, reason: "cannot read")
        }
        return self.nonBlankLines(String(decoding: data, as: UTF8.self))
    }

    static func nonBlankLines(_ text: String) -> [String] {
        text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Each line as `features` numbers (copied as written, checked to parse) followed by the
    /// name of its class: the last field is an index into `classNames`.
    static func rows(
        _ lines: ArraySlice<String>,
        path: String,
        firstLine: Int,
        features: Int,
        classNames: [String]
    ) throws -> [[String]] {
        var rows: [[String]] = []
        rows.reserveCapacity(lines.count)
        for (offset, line) in lines.enumerated() {
            let number = firstLine + offset
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard fields.count == features + 1 else {
                throw FetchError.unexpectedContent(
                    path: path,
                    detail: "line \(number) has \(fields.count) fields, expected \(features + 1)"
                )
            }
            for field in fields.dropLast() where Double(field) == nil {
                throw FetchError.unexpectedContent(path: path, detail: "line \(number): '\(field)' is not a number")
            }
            guard let target = Double(fields[features]), target == target.rounded(), target >= 0,
                Int(target) < classNames.count
            else {
                throw FetchError.unexpectedContent(
                    path: path,
                    detail:
                        "line \(number): target '\(fields[features])' is not a class index 0–\(classNames.count - 1)"
                )
            }
            rows.append(Array(fields.dropLast()) + [classNames[Int(target)]])
        }
        return rows
    }
}
