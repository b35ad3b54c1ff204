/// Refuses keys a decoder does not know. Synthesised `Decodable` ignores them, so a
/// misspelt key would silently keep its default; used by every settings type so the same
/// check runs on a YAML file and on what arrives over the wire.
package enum StrictKeys {
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Throws `DecodingError.dataCorrupted` at the first unknown key, with a sentence
    /// naming it (and its snake_case spelling when that is a known key).
    package static func check(_ decoder: any Decoder, known: [String]) throws {
        guard let container = try? decoder.container(keyedBy: AnyKey.self) else { return }
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue })
        where !known.contains(key.stringValue) {
            let path = decoder.codingPath.map(\.stringValue)
            let dotted = (path + [key.stringValue]).joined(separator: ".")
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: KeySpelling.unknown(
                        key.stringValue,
                        dotted: dotted,
                        known: known,
                        scope: path.joined(separator: ".")
                    )
                )
            )
        }
    }
}
