import Foundation
import Yams

/// A scenario file with some settings replaced: the trial's settings for each trial, and the
/// winning ones for best.yaml. The file's keys keep their order; its comments are not kept
/// (they described the original values), and relative paths become absolute, so the new file
/// runs from any folder.
package struct ScenarioRewrite: Sendable {
    /// The original file's text and where it lives.
    package let text: String
    package let url: URL

    package init(contentsOf url: URL) throws(SweepError) {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw .scenario(path: url.path, detail: "no such file, or not UTF-8 text")
        }
        self.text = text
        self.url = url
    }

    /// Scenario keys whose values are paths relative to the file.
    private static let pathKeys: [(section: String?, key: String)] = [
        ("data", "csv"), ("data", "npz"), ("data", "images"), (nil, "model"),
    ]

    /// The scenario with `values` in place of its own, preceded by `header` as comment lines.
    package func text(with values: [SweepKey: Double], header: [String]) throws(SweepError) -> String {
        let root: Node?
        do {
            root = try Yams.compose(yaml: self.text)
        } catch {
            throw .scenario(path: self.url.path, detail: "not valid YAML (\(error))")
        }
        guard case .mapping(var mapping)? = root else {
            throw .scenario(path: self.url.path, detail: "a scenario file is a mapping of keys to values")
        }
        let folder = self.url.deletingLastPathComponent()
        for (section, key) in Self.pathKeys {
            let holder = section.map { mapping[$0]?.mapping } ?? mapping
            guard var holder, let path = holder[key]?.string, !path.hasPrefix("/") else { continue }
            let absolute = folder.appendingPathComponent(path).standardizedFileURL.path
            // A model may also be the name of a model in the fetch cache: keep names that are no path.
            guard section != nil || FileManager.default.fileExists(atPath: absolute) else { continue }
            holder[key] = Node(absolute)
            if let section { mapping[section] = .mapping(holder) } else { mapping = holder }
        }
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            let (sectionName, name) = key.scenarioPath
            guard var section = mapping[sectionName]?.mapping ?? (mapping[sectionName] == nil ? Node.Mapping([]) : nil)
            else {
                throw .scenario(path: self.url.path, detail: "'\(sectionName)' must be a mapping to set \(name) in it")
            }
            section[name] = Node(SearchSpace.format(value))
            mapping[sectionName] = .mapping(section)
        }
        let body: String
        do {
            body = try Yams.serialize(node: .mapping(mapping), width: 110, sortKeys: false)
        } catch {
            throw .scenario(path: self.url.path, detail: "could not be written back as YAML (\(error))")
        }
        return header.map { "# " + $0 }.joined(separator: "\n") + (header.isEmpty ? "" : "\n") + body
    }
}
