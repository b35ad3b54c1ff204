/// The element types fedtune reads from NumPy arrays: booleans, integers and IEEE floats,
/// each of one fixed size. Multi-byte elements are kept little-endian in memory whatever
/// order the file used (`>` arrays are swapped when read).
package enum NumPyDType: String, Sendable, Equatable, CaseIterable {
    case bool, uint8, int8, uint16, int16, uint32, int32, uint64, int64, float16, float32, float64

    /// Bytes per element.
    package var size: Int {
        switch self {
        case .bool, .uint8, .int8: return 1
        case .uint16, .int16, .float16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        }
    }

    /// Whether elements are integers (booleans count as 0 and 1).
    package var isInteger: Bool {
        switch self {
        case .float16, .float32, .float64: return false
        default: return true
        }
    }

    /// NumPy's little-endian `descr` for this type, as written in a .npy header (`<f4`, `|u1`).
    package var descr: String {
        let code: String
        switch self {
        case .bool: code = "b1"
        case .uint8: code = "u1"
        case .int8: code = "i1"
        case .uint16: code = "u2"
        case .int16: code = "i2"
        case .uint32: code = "u4"
        case .int32: code = "i4"
        case .uint64: code = "u8"
        case .int64: code = "i8"
        case .float16: code = "f2"
        case .float32: code = "f4"
        case .float64: code = "f8"
        }
        return (self.size == 1 ? "|" : "<") + code
    }

    /// The type a header's `descr` names, and whether its bytes are big-endian; nil for a
    /// descr fedtune does not read (strings, complex numbers, datetimes, structured types).
    static func parse(descr: String) -> (dtype: NumPyDType, bigEndian: Bool)? {
        guard let order = descr.first, "<>|=".contains(order), descr.count >= 3 else { return nil }
        let code = String(descr.dropFirst())
        guard let dtype = Self.allCases.first(where: { $0.descr.dropFirst() == code }) else { return nil }
        // '=' is the writing machine's order; NumPy writes an explicit '<' or '>' for
        // multi-byte types, so '=' only occurs in hand-made headers and is read as '<'.
        return (dtype, order == ">" && dtype.size > 1)
    }
}
