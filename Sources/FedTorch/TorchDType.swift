/// The element types a PyTorch storage can hold, named by the storage class `torch.save`
/// pickles (`torch.FloatStorage`) or the dtype global (`torch.float32`).
package enum TorchDType: String, Sendable, Equatable, Codable, CaseIterable {
    case float32, float16, bfloat16, float64
    case int64, int32, int16, int8, uint8, bool

    /// Bytes per element in the file.
    package var byteWidth: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    /// Whether fedtune reads it as a Float tensor (float64 is narrowed to Float).
    package var isFloatingPoint: Bool {
        switch self {
        case .float32, .float16, .bfloat16, .float64: true
        default: false
        }
    }

    /// The safetensors name of the type, so `inspect` lists a .pth as it lists a .safetensors.
    package var safetensorsName: String {
        switch self {
        case .float32: "F32"
        case .float16: "F16"
        case .bfloat16: "BF16"
        case .float64: "F64"
        case .int64: "I64"
        case .int32: "I32"
        case .int16: "I16"
        case .int8: "I8"
        case .uint8: "U8"
        case .bool: "BOOL"
        }
    }

    /// The type of a storage class in module `torch`, e.g. `FloatStorage` → float32.
    init?(storageClass name: String) {
        switch name {
        case "FloatStorage": self = .float32
        case "HalfStorage": self = .float16
        case "BFloat16Storage": self = .bfloat16
        case "DoubleStorage": self = .float64
        case "LongStorage": self = .int64
        case "IntStorage": self = .int32
        case "ShortStorage": self = .int16
        case "CharStorage": self = .int8
        case "ByteStorage": self = .uint8
        case "BoolStorage": self = .bool
        default: return nil
        }
    }

    /// The type of a dtype attribute of module `torch`, e.g. `float32` or `half`.
    init?(dtypeName name: String) {
        switch name {
        case "float32", "float": self = .float32
        case "float16", "half": self = .float16
        case "bfloat16": self = .bfloat16
        case "float64", "double": self = .float64
        case "int64", "long": self = .int64
        case "int32", "int": self = .int32
        case "int16", "short": self = .int16
        case "int8": self = .int8
        case "uint8": self = .uint8
        case "bool": self = .bool
        default: return nil
        }
    }
}
