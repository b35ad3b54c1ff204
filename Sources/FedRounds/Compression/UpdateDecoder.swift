import FedTensor
import Foundation
import OrderedCollections

/// The coordinator's side of `UpdateEncoder`: a site's blob back to the dense update,
/// checked against the model's trainable tensors before any value is used.
///
/// The codec comes from the blob's `fedtune.compression` metadata, so the coordinator needs
/// no setting to read it; a blob without that key is a dense update of F32, F16 or BF16
/// tensors, as sites sent before compression existed. Every tensor's dtype and shape, every
/// int8 scale, every top-k index and count and every decoded value are checked, and the
/// first problem is named in a sentence.
package enum UpdateDecoder {
    /// The dense update in `spec`'s order; `source` names the blob in errors ("update from site-3").
    package static func decode(
        _ bytes: Data,
        spec: TensorSpec,
        source: String
    ) throws(UpdateDecodingError) -> OrderedDictionary<String, Tensor> {
        let header: SafetensorsHeader
        do {
            header = try SafetensorsHeader.parse(bytes, fileSize: bytes.count, path: source)
        } catch {
            throw .unreadable(source: source, detail: "\(error)")
        }
        let blob = Blob(header: header, bytes: bytes, source: source)
        let codec = header.metadata[CompressedUpdateFormat.codecKey]
        var update = OrderedDictionary<String, Tensor>()
        switch codec {
        case nil, "none", "fp16", "bf16":
            try blob.expectOnly(spec.names)
            // Before the codec key existed a site could send any float width; since, each codec has its own.
            let dtypes: Set<String> =
                switch codec {
                case "none": ["F32"]
                case "fp16": ["F16"]
                case "bf16": ["BF16"]
                default: ["F32", "F16", "BF16"]
                }
            for (name, shape) in spec.entries {
                let entry = try blob.entry(name, dtypes: dtypes, shape: shape)
                update[name] = try blob.finite(
                    name,
                    Tensor(shape: shape, scalars: header.floats(of: entry, in: bytes)!)
                )
            }
        case "int8":
            try blob.expectOnly(spec.names.flatMap { [$0, CompressedUpdateFormat.scaleName($0)] })
            for (name, shape) in spec.entries {
                let codes = try blob.entry(name, dtypes: ["I8"], shape: shape)
                let scaleEntry = try blob.entry(
                    CompressedUpdateFormat.scaleName(name),
                    dtypes: ["F32"],
                    shapes: [[], [1]]
                )
                let scale = header.floats(of: scaleEntry, in: bytes)![0]
                guard scale.isFinite, scale >= 0 else {
                    throw .invalidScale(source: source, tensor: name, scale: scale)
                }
                let values = Int8Quantizer.dequantize(header.int8s(of: codes, in: bytes)!, scale: scale)
                update[name] = try blob.finite(name, Tensor(shape: shape, scalars: values))
            }
        case "topk":
            try blob.expectOnly(
                spec.names.flatMap { [CompressedUpdateFormat.indicesName($0), CompressedUpdateFormat.valuesName($0)] }
            )
            for (name, shape) in spec.entries {
                update[name] = try blob.topK(name, shape: shape)
            }
        case let other?:
            throw .unknownCodec(source: source, codec: other)
        }
        return update
    }

    /// `decode(_:spec:source:)` of bytes held in an array.
    package static func decode(
        _ bytes: [UInt8],
        spec: TensorSpec,
        source: String
    ) throws(UpdateDecodingError) -> OrderedDictionary<String, Tensor> {
        try self.decode(Data(bytes), spec: spec, source: source)
    }
}

/// One parsed blob and the checks every codec shares.
private struct Blob {
    let header: SafetensorsHeader
    let bytes: Data
    let source: String
    let entries: [String: SafetensorsHeader.Entry]

    init(header: SafetensorsHeader, bytes: Data, source: String) {
        self.header = header
        self.bytes = bytes
        self.source = source
        self.entries = Dictionary(header.entries.map { ($0.name, $0) }) { first, _ in first }
    }

    /// Refuses a tensor not in `names` (before any data is read).
    func expectOnly(_ names: [String]) throws(UpdateDecodingError) {
        let expected = Set(names)
        for entry in self.header.entries where !expected.contains(entry.name) {
            throw .unexpectedTensor(source: self.source, tensor: entry.name)
        }
    }

    /// The entry `name`, present, stored as one of `dtypes` and shaped as one of `shapes`.
    func entry(
        _ name: String,
        dtypes: Set<String>,
        shapes: [[Int]]
    ) throws(UpdateDecodingError) -> SafetensorsHeader.Entry {
        guard let entry = self.entries[name] else { throw .missingTensor(source: self.source, tensor: name) }
        guard dtypes.contains(entry.dtypeName) else {
            throw .wrongDType(
                source: self.source,
                tensor: name,
                expected: dtypes.sorted().joined(separator: " or "),
                found: entry.dtypeName
            )
        }
        guard shapes.contains(entry.shape) else {
            throw .wrongShape(source: self.source, tensor: name, expected: shapes[0], found: entry.shape)
        }
        return entry
    }

    func entry(_ name: String, dtypes: Set<String>, shape: [Int]) throws(UpdateDecodingError) -> SafetensorsHeader.Entry
    {
        try self.entry(name, dtypes: dtypes, shapes: [shape])
    }

    /// The entry `name`, present, stored as one of `dtypes` and of rank 1.
    func vector(_ name: String, dtypes: Set<String>) throws(UpdateDecodingError) -> SafetensorsHeader.Entry {
        let shape = self.entries[name].map { [$0.shape.reduce(1, *)] } ?? []
        return try self.entry(name, dtypes: dtypes, shape: shape)
    }

    /// `tensor` when every value is finite.
    func finite(_ name: String, _ tensor: Tensor) throws(UpdateDecodingError) -> Tensor {
        guard tensor.isFinite else { throw .nonFinite(source: self.source, tensor: name) }
        return tensor
    }

    /// The dense tensor `name` from its top-k indices and values.
    func topK(_ name: String, shape: [Int]) throws(UpdateDecodingError) -> Tensor {
        let recorded = self.header.metadata[CompressedUpdateFormat.shapeKey(name)]
        guard let recorded, recorded.filter({ !$0.isWhitespace }) == CompressedUpdateFormat.shapeText(shape) else {
            throw .wrongDenseShape(source: self.source, tensor: name, expected: shape, found: recorded)
        }
        let elements = shape.reduce(1, *)
        let indicesName = CompressedUpdateFormat.indicesName(name)
        let valuesName = CompressedUpdateFormat.valuesName(name)
        let indicesEntry = try self.vector(indicesName, dtypes: ["I32"])
        let valuesEntry = try self.vector(valuesName, dtypes: ["F32", "F16", "BF16"])
        let (k, count) = (indicesEntry.shape[0], valuesEntry.shape[0])
        guard count == k, k <= elements else {
            throw .wrongCount(source: self.source, tensor: name, indices: k, values: count, elements: elements)
        }
        let indices = self.header.int32s(of: indicesEntry, in: self.bytes)!
        let values = self.header.floats(of: valuesEntry, in: self.bytes)!
        var dense = Tensor(shape: shape)
        var previous: Int32 = -1
        for (position, index) in indices.enumerated() {
            guard index >= 0, Int(index) < elements else {
                throw .indexOutOfRange(source: self.source, tensor: name, index: index, elements: elements)
            }
            guard index > previous else {
                throw .indicesNotIncreasing(source: self.source, tensor: name, position: position)
            }
            dense.scalars[Int(index)] = values[position]
            previous = index
        }
        return try self.finite(name, dense)
    }
}
