/// Why a safetensors file could not be read or written; every case names the file and,
/// where one is at fault, the tensor.
package enum SafetensorsError: Error, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case truncated(path: String, detail: String)
    case invalidHeader(path: String, detail: String)
    case malformedEntry(path: String, tensor: String, detail: String)
    case unsupportedDType(path: String, tensor: String, dtype: String)
    case offsetsOutOfRange(path: String, tensor: String, begin: Int, end: Int, dataBytes: Int)
    case sizeMismatch(path: String, tensor: String, dtype: String, shape: [Int], expectedBytes: Int, actualBytes: Int)
    case overlap(path: String, tensor: String, previous: String)
    case gap(path: String, detail: String)
    case unwritable(path: String, reason: String)

    package var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "\(path): cannot read safetensors file: \(reason)"
        case .truncated(let path, let detail):
            return "\(path): file is truncated: \(detail)"
        case .invalidHeader(let path, let detail):
            return "\(path): invalid safetensors header: \(detail)"
        case .malformedEntry(let path, let tensor, let detail):
            return "\(path): tensor '\(tensor)': \(detail)"
        case .unsupportedDType(let path, let tensor, let dtype):
            return "\(path): tensor '\(tensor)' has dtype \(dtype), which fedtune does not read "
                + "(supported: F32, F16, BF16) ---> HINT: convert it to float32 when saving"
        case .offsetsOutOfRange(let path, let tensor, let begin, let end, let dataBytes):
            return "\(path): tensor '\(tensor)' has data_offsets [\(begin), \(end)] outside the "
                + "\(dataBytes)-byte data section"
        case .sizeMismatch(let path, let tensor, let dtype, let shape, let expected, let actual):
            return "\(path): tensor '\(tensor)' is \(dtype) \(shape), which needs \(expected) bytes, "
                + "but its data_offsets span \(actual)"
        case .overlap(let path, let tensor, let previous):
            return "\(path): tensor '\(tensor)' overlaps the data of '\(previous)'"
        case .gap(let path, let detail):
            return "\(path): data section is not fully covered by tensors: \(detail)"
        case .unwritable(let path, let reason):
            return "\(path): cannot write safetensors file: \(reason)"
        }
    }
}
