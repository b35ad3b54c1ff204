/// Escaping of user text (scenario, site and class names) before it goes into the page.
///
/// The same escaping serves HTML text, attribute values and inline SVG, and only emits
/// the five entities XML knows, so every SVG in the report stays well-formed XML.
extension String {
    /// The string with `&`, `<`, `>`, `"` and `'` replaced by character references.
    package var htmlEscaped: String {
        var out = ""
        out.reserveCapacity(self.utf8.count)
        for character in self.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newline are not allowed in XML.
                if character.value < 0x20 && character != "\t" && character != "\n" {
                    out += " "
                } else {
                    out.unicodeScalars.append(character)
                }
            }
        }
        return out
    }

    /// The string cut to at most `limit` characters, ending in "…" when cut, so long site
    /// and class names cannot push chart labels into each other.
    package func truncated(to limit: Int) -> String {
        guard self.count > limit, limit > 1 else { return self }
        return String(self.prefix(limit - 1)) + "…"
    }
}
