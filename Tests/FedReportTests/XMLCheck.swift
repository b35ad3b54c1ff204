import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Proves markup is well-formed XML with Foundation's parser; the report's SVGs (and the
/// page itself, written with self-closed void elements) must pass.
enum XMLCheck {
    /// nil when `markup` parses, otherwise the parser's complaint.
    static func problem(in markup: String) -> String? {
        let parser = XMLParser(data: Data(markup.utf8))
        if parser.parse() { return nil }
        return
            "\(parser.parserError.map { "\($0)" } ?? "unknown error") at line \(parser.lineNumber), column \(parser.columnNumber)"
    }

    /// Every `<svg …>…</svg>` element of `html`, in order.
    static func svgElements(in html: String) -> [String] {
        var out: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg"),
            let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex)
        {
            out.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return out
    }
}

extension String {
    /// How many times `needle` occurs.
    func occurrences(of needle: String) -> Int {
        self.components(separatedBy: needle).count - 1
    }
}
