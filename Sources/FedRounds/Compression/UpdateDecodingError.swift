/// Why a site's update blob could not be turned back into a dense update. Each case names
/// the blob's source (e.g. "update from site-3") and, where one is at fault, the tensor.
package enum UpdateDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not a well-formed safetensors file.
    case unreadable(source: String, detail: String)
    /// `fedtune.compression` names a codec this coordinator does not know.
    case unknownCodec(source: String, codec: String)
    case missingTensor(source: String, tensor: String)
    case unexpectedTensor(source: String, tensor: String)
    case wrongDType(source: String, tensor: String, expected: String, found: String)
    case wrongShape(source: String, tensor: String, expected: [Int], found: [Int])
    /// A top-k tensor's dense shape in the metadata is missing or not the model's.
    case wrongDenseShape(source: String, tensor: String, expected: [Int], found: String?)
    case nonFinite(source: String, tensor: String)
    /// An int8 scale that is negative, NaN or infinite.
    case invalidScale(source: String, tensor: String, scale: Float)
    /// Top-k's indices and values differ in number, or outnumber the tensor's elements.
    case wrongCount(source: String, tensor: String, indices: Int, values: Int, elements: Int)
    case indexOutOfRange(source: String, tensor: String, index: Int32, elements: Int)
    /// A top-k index not above the one before it (repeated or out of order).
    case indicesNotIncreasing(source: String, tensor: String, position: Int)

    package var description: String {
        switch self {
        case .unreadable(let source, let detail):
            "\(source) is not a readable safetensors update: \(detail)"
        case .unknownCodec(let source, let codec):
            "\(source) is compressed with '\(codec)', which this coordinator does not decode (it knows "
                + "\(UpdateCompression.names.joined(separator: ", "))) ---> HINT: run the same fedtune version on sites "
                + "and coordinator"
        case .missingTensor(let source, let tensor):
            "\(source) lacks tensor '\(tensor)'"
        case .unexpectedTensor(let source, let tensor):
            "\(source) carries tensor '\(tensor)', which its codec and the model do not define"
        case .wrongDType(let source, let tensor, let expected, let found):
            "\(source): tensor '\(tensor)' is stored as \(found), but its codec writes \(expected)"
        case .wrongShape(let source, let tensor, let expected, let found):
            "\(source): tensor '\(tensor)' has shape \(found), where \(expected) belongs"
        case .wrongDenseShape(let source, let tensor, let expected, let found):
            "\(source): top-k tensor '\(tensor)' gives its shape as \(found.map { "'\($0)'" } ?? "nothing") "
                + "in the metadata, but the model's is \(expected)"
        case .nonFinite(let source, let tensor):
            "\(source): tensor '\(tensor)' holds NaN or infinite values"
        case .invalidScale(let source, let tensor, let scale):
            "\(source): int8 tensor '\(tensor)' has scale \(scale); a scale must be finite and 0 or more"
        case .wrongCount(let source, let tensor, let indices, let values, let elements):
            "\(source): top-k tensor '\(tensor)' has \(indices) indices and \(values) values for \(elements) "
                + "elements; the counts must be equal and at most the element count"
        case .indexOutOfRange(let source, let tensor, let index, let elements):
            "\(source): top-k tensor '\(tensor)' has index \(index), outside 0..<\(elements)"
        case .indicesNotIncreasing(let source, let tensor, let position):
            "\(source): top-k tensor '\(tensor)' has index number \(position) not above the one before it; "
                + "indices must be strictly increasing"
        }
    }
}
