import FedSupport
import Foundation
import OrderedCollections

/// Named tensors as stored in a safetensors file, in file order, with the file's
/// `__metadata__` strings.
///
/// F16 and BF16 tensors are widened to Float32 on load; `storedTypes` remembers what
/// each was, so a file can be written back in its own precision.
package struct Safetensors: Sendable, Equatable {
    package var tensors: OrderedDictionary<String, Tensor>
    package var metadata: [String: String]
    /// The dtype each tensor had in the file it was read from.
    package var storedTypes: [String: SafetensorsDType]

    package init(
        tensors: OrderedDictionary<String, Tensor> = [:],
        metadata: [String: String] = [:],
        storedTypes: [String: SafetensorsDType] = [:]
    ) {
        self.tensors = tensors
        self.metadata = metadata
        self.storedTypes = storedTypes
    }

    /// Reads every tensor of a file. Tensors named in `skipping` are left out without
    /// checking their dtype (e.g. integer buffers a model does not need).
    package static func read(contentsOf url: URL, skipping: Set<String> = []) throws -> Safetensors {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SafetensorsError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try decode(data, path: url.path, skipping: skipping)
    }

    /// Decodes a whole safetensors blob held in memory; `path` names it in errors.
    package static func decode(_ data: Data, path: String, skipping: Set<String> = []) throws -> Safetensors {
        let header = try SafetensorsHeader.parse(data, fileSize: data.count, path: path)
        var result = Safetensors(metadata: header.metadata)
        for entry in header.entries where !skipping.contains(entry.name) {
            guard let dtype = entry.dtype else {
                throw SafetensorsError.unsupportedDType(path: path, tensor: entry.name, dtype: entry.dtypeName)
            }
            let start = data.startIndex + header.dataStart + entry.begin
            let tensor = data.withUnsafeBytes { raw in
                decodeElements(
                    UnsafeRawBufferPointer(
                        rebasing: raw[(start - data.startIndex)..<(start - data.startIndex + entry.byteCount)]
                    ),
                    dtype: dtype,
                    shape: entry.shape
                )
            }
            result.tensors[entry.name] = tensor
            result.storedTypes[entry.name] = dtype
        }
        return result
    }

    /// The file's bytes, with every tensor stored as `dtype` (or, when nil, as it was read,
    /// Float32 for tensors that were never read).
    package func encoded(as dtype: SafetensorsDType? = nil) -> Data {
        var header = "{"
        if !self.metadata.isEmpty {
            let pairs = self.metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(self.metadata[$0]!))" }
            header += "\"__metadata__\":{\(pairs.joined(separator: ","))}"
        }
        var offset = 0
        var types: [SafetensorsDType] = []
        for (name, tensor) in self.tensors {
            let type = dtype ?? self.storedTypes[name] ?? .f32
            types.append(type)
            let size = tensor.count * type.byteWidth
            if header.count > 1 { header += "," }
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            header +=
                "\(jsonString(name)):{\"dtype\":\"\(type.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + size)]}"
            offset += size
        }
        header += "}"
        // Pad with spaces so the data section starts 8-byte aligned, as the Python writer does.
        var headerBytes = Data(header.utf8)
        let padding = (8 - headerBytes.count % 8) % 8
        headerBytes.append(contentsOf: [UInt8](repeating: 0x20, count: padding))

        var out = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(headerBytes)
        for (tensor, type) in zip(self.tensors.values, types) {
            appendElements(of: tensor, as: type, to: &out)
        }
        return out
    }

    /// Writes the file atomically: to a temporary name beside it, synced, then renamed,
    /// so a failure never leaves a half-written file where a good one was.
    package func write(to url: URL, as dtype: SafetensorsDType? = nil) throws {
        do {
            try AtomicFile.write(self.encoded(as: dtype), to: url)
        } catch {
            throw SafetensorsError.unwritable(path: url.path, reason: "\(error)")
        }
    }

    /// Widens a span of F32, F16 or BF16 elements to a Float32 tensor of `shape`.
    static func decodeElements(_ raw: UnsafeRawBufferPointer, dtype: SafetensorsDType, shape: [Int]) -> Tensor {
        var tensor = Tensor(shape: shape)
        let count = tensor.count
        tensor.scalars.withUnsafeMutableBufferPointer { out in
            switch dtype {
            case .f32:
                for i in 0..<count {
                    out[i] = Float(
                        bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                    )
                }
            case .f16:
                for i in 0..<count {
                    out[i] = HalfPrecision.float(
                        fromFloat16: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                    )
                }
            case .bf16:
                for i in 0..<count {
                    out[i] = HalfPrecision.float(
                        fromBFloat16: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
                    )
                }
            }
        }
        return tensor
    }

    private func appendElements(of tensor: Tensor, as dtype: SafetensorsDType, to out: inout Data) {
        switch dtype {
        case .f32:
            tensor.scalars.withUnsafeBufferPointer { p in
                // Little-endian hosts (x86-64, arm64) store Float32 as the file does.
                out.append(UnsafeBufferPointer(start: p.baseAddress, count: p.count))
            }
        case .f16:
            let bits = tensor.scalars.map { HalfPrecision.float16Bits($0).littleEndian }
            bits.withUnsafeBufferPointer { out.append($0) }
        case .bf16:
            let bits = tensor.scalars.map { HalfPrecision.bfloat16Bits($0).littleEndian }
            bits.withUnsafeBufferPointer { out.append($0) }
        }
    }
}
