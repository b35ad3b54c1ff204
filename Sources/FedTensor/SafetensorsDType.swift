/// The element types fedtune reads from and writes to safetensors files. Everything is
/// computed in Float32; the 16-bit types are widened on load and narrowed on save.
package enum SafetensorsDType: String, Sendable, Codable, CaseIterable {
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"

    /// Bytes per element.
    package var byteWidth: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        }
    }

    /// Bytes per element of any dtype the format defines, so the header of a file with
    /// types fedtune does not compute in can still be listed by `inspect`.
    package static func byteWidth(ofName name: String) -> Int? {
        switch name {
        case "F64", "I64", "U64": 8
        case "F32", "I32", "U32": 4
        case "F16", "BF16", "I16", "U16": 2
        case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2": 1
        default: nil
        }
    }
}
