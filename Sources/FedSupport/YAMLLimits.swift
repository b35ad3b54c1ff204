/// What a fedtune YAML file may be, checked on the text before the parser sees it: the
/// parser recurses once per nesting level (5,000 levels overflow the stack) and expands
/// every alias where it is used (nine levels of ten aliases make 10^9 nodes), so a
/// hostile or broken file could crash or exhaust the process that reads it.
package enum YAMLLimits {
    /// Largest file: settings files are a few kilobytes.
    package static let maximumBytes = 1 << 20
    /// Deepest nesting of mappings and sequences, block and flow together.
    package static let maximumDepth = 64

    /// The first limit `text` passes, as "line N: …", or nil.
    package static func problem(in text: String) -> String? {
        if text.utf8.count > self.maximumBytes {
            return "the file is \(text.utf8.count) bytes; fedtune settings files may be at most \(self.maximumBytes)"
        }
        var indents: [Int] = []
        var flow = 0
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let bytes = Array(line.utf8)
            var index = bytes.prefix { $0 == 0x20 }.count
            guard index < bytes.count, bytes[index] != 0x23 else { continue }  // blank or comment
            if flow == 0 {
                while let last = indents.last, last >= index { indents.removeLast() }
                indents.append(index)
            }
            // Nested block sequences on one line ("- - - x") are a level each.
            var depth = indents.count
            while index + 1 < bytes.count, bytes[index] == 0x2D, bytes[index + 1] == 0x20 {
                depth += 1
                index += 2
                while index < bytes.count, bytes[index] == 0x20 { index += 1 }
            }
            var quote: UInt8? = nil
            var previous: UInt8 = 0x20
            while index < bytes.count {
                let byte = bytes[index]
                if let open = quote {
                    if byte == open { quote = nil }
                } else {
                    switch byte {
                    case 0x22, 0x27: quote = byte
                    case 0x23 where previous == 0x20: index = bytes.count
                    case 0x5B, 0x7B: flow += 1
                    case 0x5D, 0x7D: flow = Swift.max(flow - 1, 0)
                    case 0x2A where [0x20, 0x5B, 0x7B, 0x2C].contains(previous):
                        return
                            "line \(number + 1): YAML aliases (*name) are not accepted in fedtune files; write the value out"
                    default: break
                    }
                    if depth + flow > self.maximumDepth {
                        return "line \(number + 1): nested more than \(self.maximumDepth) levels deep"
                    }
                }
                previous = byte
                index += 1
            }
            if depth + flow > self.maximumDepth {
                return "line \(number + 1): nested more than \(self.maximumDepth) levels deep"
            }
        }
        return nil
    }
}
