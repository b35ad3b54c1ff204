/// One readable sentence for a decoding failure that names the field at fault with its
/// dotted path (`strategy.clip_norm`, `body.round`), shared by every file and message
/// reader so configuration and protocol errors read the same way.
extension DecodingError {
    package var fieldDescription: String {
        switch self {
        case .keyNotFound(let key, let context):
            return "missing field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "field '\(path)': \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }
}
