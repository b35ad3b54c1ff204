/// Text that came from another organisation's process (a site's reason for stopping, a
/// tensor or metric name inside an error), made safe to log and record: control characters
/// are escaped, so a newline cannot forge a log line, and it is cut at a bounded length, so
/// a megabyte name cannot swell rounds.jsonl.
package enum UntrustedText {
    package static let maximumBytes = 512

    package static func clean(_ text: String, maximumBytes: Int = UntrustedText.maximumBytes) -> String {
        var out = ""
        var bytes = 0
        for scalar in text.unicodeScalars {
            let piece: String
            switch scalar {
            case "\n": piece = "\\n"
            case "\r": piece = "\\r"
            case "\t": piece = "\\t"
            case _
            where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                || (0x2028...0x2029).contains(scalar.value):
                piece = "\\u{\(String(scalar.value, radix: 16))}"
            default: piece = String(scalar)
            }
            if bytes + piece.utf8.count > maximumBytes {
                return out + "… (cut at \(maximumBytes) of \(text.utf8.count) bytes)"
            }
            out += piece
            bytes += piece.utf8.count
        }
        return out
    }
}
