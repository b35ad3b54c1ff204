/// The keys a YAML file may hold, nested as in the file. Decoding alone ignores a key it
/// does not know, so a misspelt `learning_rate` would run with the default instead;
/// checking the keys first makes it an error naming the line and the key.
package indirect enum YAMLShape: Sendable {
    /// Any value.
    case value
    /// A mapping with exactly these keys.
    case mapping([String: YAMLShape])

    /// A mapping whose keys all hold plain values.
    package static func values(_ keys: [String]) -> YAMLShape {
        .mapping(Dictionary(uniqueKeysWithValues: keys.map { ($0, .value) }))
    }

    /// This mapping with more keys (they replace keys of the same name).
    package func adding(_ more: [String: YAMLShape]) -> YAMLShape {
        guard case .mapping(let keys) = self else { return .mapping(more) }
        return .mapping(keys.merging(more) { $1 })
    }
}

/// How every configuration file spells a key: snake_case.
package enum KeySpelling {
    /// `batchSize` → `batch_size`; a snake_case key is returned as it is.
    package static func snakeCase(_ key: String) -> String {
        var out = ""
        for character in key {
            if character.isUppercase {
                out += "_" + character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// The problem with `key` at `place` when it is not among `known`: a camelCase spelling
    /// of a known key is named with its snake_case form, anything else with the known keys.
    package static func unknown(_ key: String, dotted: String, known: some Collection<String>, scope: String) -> String
    {
        let snake = Self.snakeCase(key)
        if snake != key, known.contains(snake) {
            return "'\(dotted)' is spelt '\(snake)' (configuration keys are snake_case)"
        }
        let scopeText = scope.isEmpty ? "" : " under '\(scope)'"
        return "unknown key '\(dotted)' (known\(scopeText): \(known.sorted().joined(separator: ", ")))"
    }
}
