/// The header of a .npy file (format versions 1.0, 2.0 and 3.0): the element type, the
/// memory order and the shape, parsed from the Python dict literal NumPy writes, e.g.
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. Only these three keys and
/// the literals they use (strings, True/False, tuples of integers) are understood; nothing
/// is evaluated.
struct NumPyHeader: Equatable {
    var dtype: NumPyDType
    var bigEndian: Bool
    var shape: [Int]
    /// Offset of the first element byte from the start of the .npy data.
    var dataOffset: Int

    /// The .npy magic string: 0x93 then "NUMPY".
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// Parses the header at the start of `bytes`; the thrown string says what is wrong.
    init(_ bytes: UnsafeRawBufferPointer) throws(HeaderProblem) {
        guard bytes.count >= 10, bytes.prefix(6).elementsEqual(Self.magic) else {
            throw HeaderProblem("not a NumPy .npy array (the file does not start with \\x93NUMPY)")
        }
        let major = bytes[6]
        let length: Int
        let start: Int
        switch major {
        case 1:
            length = Int(bytes[8]) | Int(bytes[9]) << 8
            start = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw HeaderProblem("the header is truncated") }
            length = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            start = 12
        default:
            throw HeaderProblem("format version \(major).\(bytes[7]) is not one fedtune reads (1.0, 2.0, 3.0)")
        }
        guard start + length <= bytes.count else {
            throw HeaderProblem("the header says it is \(length) bytes long but the array holds \(bytes.count - start)")
        }
        // Versions 1 and 2 write Latin-1, version 3 UTF-8; the literal fedtune reads is ASCII either way.
        let text = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
        var parser = LiteralParser(text)
        let entries = try parser.dictionary()
        guard case .string(let descr)? = entries["descr"] else {
            if entries["descr"] != nil { throw HeaderProblem("structured or record arrays are not supported") }
            throw HeaderProblem("the header has no 'descr'")
        }
        guard let (dtype, bigEndian) = NumPyDType.parse(descr: descr) else {
            throw HeaderProblem(
                "element type '\(descr)' is not supported (booleans, integers and floats of 1 to 8 bytes are)"
            )
        }
        guard case .bool(let fortran)? = entries["fortran_order"] else {
            throw HeaderProblem("the header has no 'fortran_order' True or False")
        }
        guard !fortran else {
            throw HeaderProblem(
                "it is stored in Fortran (column-major) order; save it with np.ascontiguousarray(a) first"
            )
        }
        guard case .tuple(let shape)? = entries["shape"] else { throw HeaderProblem("the header has no 'shape' tuple") }
        self.dtype = dtype
        self.bigEndian = bigEndian
        self.shape = shape
        self.dataOffset = start + length
    }
}

/// What is wrong with a .npy header, as a phrase the caller puts after the file and array.
struct HeaderProblem: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// The Python literals a .npy header holds.
private enum Literal: Equatable {
    case string(String)
    case bool(Bool)
    case tuple([Int])
    /// Anything else (a list of fields for a structured type): recognised only to be refused.
    case other
}

/// A small recursive-descent parser for the header's dict literal.
private struct LiteralParser {
    private let characters: [Character]
    private var index = 0

    init(_ text: String) { self.characters = Array(text) }

    mutating func dictionary() throws(HeaderProblem) -> [String: Literal] {
        try self.expect("{")
        var entries: [String: Literal] = [:]
        while true {
            self.skipSpace()
            if self.peek == "}" { break }
            guard case .string(let key) = try self.value() else { throw HeaderProblem("a header key is not a string") }
            try self.expect(":")
            entries[key] = try self.value()
            self.skipSpace()
            if self.peek == "," { self.index += 1 } else if self.peek != "}" { throw self.unexpected() }
        }
        return entries
    }

    private mutating func value() throws(HeaderProblem) -> Literal {
        self.skipSpace()
        switch self.peek {
        case "'", "\"": return .string(try self.string())
        case "(": return .tuple(try self.tuple())
        case "[":
            try self.skipBracketed()
            return .other
        default:
            if self.take("True") { return .bool(true) }
            if self.take("False") { return .bool(false) }
            throw self.unexpected()
        }
    }

    private mutating func string() throws(HeaderProblem) -> String {
        let quote = self.characters[self.index]
        self.index += 1
        var out = ""
        while self.index < self.characters.count, self.characters[self.index] != quote {
            out.append(self.characters[self.index])
            self.index += 1
        }
        guard self.index < self.characters.count else { throw HeaderProblem("a string in the header is not closed") }
        self.index += 1
        return out
    }

    private mutating func tuple() throws(HeaderProblem) -> [Int] {
        try self.expect("(")
        var values: [Int] = []
        while true {
            self.skipSpace()
            if self.peek == ")" { break }
            var digits = ""
            while let c = self.peek, c.isASCII, c.isNumber {
                digits.append(c)
                self.index += 1
            }
            // A trailing 'L' is how Python 2 wrote long integers.
            if self.peek == "L" { self.index += 1 }
            guard let value = Int(digits), digits.count <= 15 else {
                throw HeaderProblem("the shape holds something other than non-negative integers")
            }
            values.append(value)
            self.skipSpace()
            if self.peek == "," { self.index += 1 } else if self.peek != ")" { throw self.unexpected() }
        }
        self.index += 1
        return values
    }

    private mutating func skipBracketed() throws(HeaderProblem) {
        var depth = 0
        repeat {
            guard let c = self.peek else { throw HeaderProblem("a list in the header is not closed") }
            if c == "[" || c == "(" { depth += 1 }
            if c == "]" || c == ")" { depth -= 1 }
            self.index += 1
        } while depth > 0
    }

    private var peek: Character? { self.index < self.characters.count ? self.characters[self.index] : nil }

    private mutating func skipSpace() {
        while let c = self.peek, c.isWhitespace { self.index += 1 }
    }

    private mutating func take(_ word: String) -> Bool {
        let end = self.index + word.count
        guard end <= self.characters.count, String(self.characters[self.index..<end]) == word else { return false }
        self.index = end
        return true
    }

    private mutating func expect(_ c: Character) throws(HeaderProblem) {
        self.skipSpace()
        guard self.peek == c else { throw self.unexpected() }
        self.index += 1
    }

    private func unexpected() -> HeaderProblem {
        let found = self.peek.map { "'\($0)'" } ?? "the end"
        return HeaderProblem("the header's dict literal is malformed (unexpected \(found) at character \(self.index))")
    }
}
