import Foundation
import Yams

/// A YAML configuration file read as a user wrote it: syntax errors, unknown keys and wrong
/// types are reported as `file:line:column` in plain words ("expected a number for
/// 'strategy.alpha', found '0.5x'"), never as the decoder's own jargon.
package struct YAMLDocument {
    package let path: String
    package let text: String
    private let root: Node?

    /// Parses `text`; `path` names the file in every message.
    package init(text: String, path: String) throws(YAMLProblem) {
        self.path = path
        self.text = text
        if let problem = YAMLLimits.problem(in: text) { throw YAMLProblem(path: path, message: problem) }
        do {
            self.root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw YAMLProblem(path: path, message: Self.describe(error))
        } catch {
            throw YAMLProblem(path: path, message: "not valid YAML")
        }
    }

    /// Reads a file; a missing or unreadable file is a problem naming it.
    package init(contentsOf url: URL) throws(YAMLProblem) {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw YAMLProblem(path: url.path, message: "no such file, or not UTF-8 text")
        }
        try self.init(text: text, path: url.path)
    }

    /// Every key that `shape` does not allow, each "line N, column M: unknown key …"; the
    /// first ones are thrown together.
    package func check(_ shape: YAMLShape) throws(YAMLProblem) {
        guard let root = self.root else { return }
        var problems: [String] = []
        Self.check(root, against: shape, path: [], problems: &problems)
        guard problems.isEmpty else { throw YAMLProblem(path: self.path, message: problems.joined(separator: "; ")) }
    }

    /// Decodes the document, describing a failure by the place in the file it points at.
    package func decode<T: Decodable>(_ type: T.Type) throws(YAMLProblem) -> T {
        do {
            return try YAMLDecoder().decode(type, from: self.text, userInfo: [:])
        } catch let error as DecodingError {
            throw YAMLProblem(path: self.path, message: self.describe(error))
        } catch let error as YamlError {
            throw YAMLProblem(path: self.path, message: Self.describe(error))
        } catch {
            throw YAMLProblem(path: self.path, message: "\(error)")
        }
    }

    /// "line 3, column 10: " for the node at `codingPath`, or "" when it is not in the file.
    package func place(of codingPath: [String]) -> String {
        guard let node = self.node(at: codingPath), let mark = node.mark else { return "" }
        return "line \(mark.line), column \(mark.column): "
    }

    private func node(at codingPath: [String]) -> Node? {
        var node = self.root
        for key in codingPath {
            switch node {
            case .mapping(let mapping)?: node = mapping[Node(key)]
            case .sequence(let sequence)?: node = Int(key).flatMap { $0 < sequence.count ? sequence[$0] : nil }
            default: return nil
            }
        }
        return node
    }

    private func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.map(\.stringValue)
            let dotted = (parent + [key.stringValue]).joined(separator: ".")
            return self.place(of: parent) + "missing key '\(dotted)'"
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let path = context.codingPath.map { Self.indexName($0) }
            return self.place(of: path) + "expected \(Self.kind(of: type)) for '\(path.joined(separator: "."))', found "
                + self.found(at: path)
        case .dataCorrupted(let context):
            let path = context.codingPath.map { Self.indexName($0) }
            // Our own decoders put a plain sentence here; the standard ones say the value
            // could not be read as the type asked for.
            let said = context.debugDescription
            let plain =
                said.hasPrefix("Cannot initialize") || said.hasPrefix("Expected") || said.isEmpty
                ? "\(self.found(at: path)) is not a valid value" : said
            return self.place(of: path) + (path.isEmpty ? plain : "'\(path.joined(separator: "."))': \(plain)")
        @unknown default:
            return "\(error)"
        }
    }

    private static func indexName(_ key: any CodingKey) -> String { key.intValue.map(String.init) ?? key.stringValue }

    private func found(at path: [String]) -> String {
        switch self.node(at: path) {
        case .scalar(let scalar)?: "'\(scalar.string)'"
        case .mapping?: "a mapping"
        case .sequence?: "a list"
        default: "nothing"
        }
    }

    private static func kind(of type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type, is Int64.Type, is UInt.Type: "a whole number"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        case is String.Type: "text"
        default:
            String(describing: type).hasPrefix("Array")
                ? "a list"
                : String(describing: type).hasPrefix("Dictionary") ? "a mapping" : "a value of another kind"
        }
    }

    private static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            "line \(mark.line), column \(mark.column): not valid YAML (\(problem))"
        case .reader(let problem, _, _, _): "not valid YAML text (\(problem))"
        default: "not valid YAML"
        }
    }

    private static func check(_ node: Node, against shape: YAMLShape, path: [String], problems: inout [String]) {
        guard case .mapping(let known) = shape, case .mapping(let mapping) = node else { return }
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? "\(keyNode)"
            let dotted = (path + [key]).joined(separator: ".")
            guard let inner = known[key] else {
                let place = keyNode.mark.map { "line \($0.line), column \($0.column): " } ?? ""
                problems.append(
                    place
                        + KeySpelling.unknown(
                            key,
                            dotted: dotted,
                            known: known.keys,
                            scope: path.joined(separator: ".")
                        )
                )
                continue
            }
            Self.check(value, against: inner, path: path + [key], problems: &problems)
        }
    }
}

/// What is wrong with a configuration file, in words for the person who wrote it.
package struct YAMLProblem: Error, Sendable, Equatable, CustomStringConvertible {
    package var path: String
    package var message: String

    package var description: String { "\(self.path): \(self.message)" }
}
