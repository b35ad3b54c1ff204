import Foundation

/// A JSON Lines file read whole: each non-blank line's object with its 1-based line number.
enum JSONLines {
    static func objects(_ url: URL) throws -> [(line: Int, object: [String: Any])] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DataError.unreadable(path: url.path, reason: "no such file")
        }
        var objects: [(line: Int, object: [String: Any])] = []
        for (offset, line) in String(decoding: data, as: UTF8.self).split(
            separator: "\n",
            omittingEmptySubsequences: false
        ).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw DataError.unreadable(path: url.path, reason: "line \(offset + 1) is not a JSON object")
            }
            objects.append((offset + 1, object))
        }
        return objects
    }

    /// The string at `key` of `object`, or a missing-column error naming the line.
    static func text(_ object: [String: Any], key: String, line: Int, path: String) throws -> String {
        guard let text = object[key] as? String else {
            throw DataError.missingColumn(path: "\(path):\(line)", column: key, available: object.keys.sorted())
        }
        return text
    }
}
