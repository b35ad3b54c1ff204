import FedSupport
import Foundation

/// The elements of one tensor to write, in the dtype they get in the file.
///
/// `Safetensors.encoded(as:)` writes Float32 tensors in one precision; this carries the
/// integer payloads of compressed updates (int8 codes, int32 indices) beside floats of
/// any width, so one file can mix them as the format allows.
package enum SafetensorsElements: Sendable, Equatable {
    /// Float32 values stored as F32, or narrowed to F16 / BF16 (rounded to nearest-even).
    case float([Float], SafetensorsDType)
    /// Signed bytes stored as I8.
    case int8([Int8])
    /// 32-bit signed integers stored as I32, little-endian.
    case int32([Int32])

    /// The dtype name the header gives these elements.
    package var dtypeName: String {
        switch self {
        case .float(_, let dtype): dtype.rawValue
        case .int8: "I8"
        case .int32: "I32"
        }
    }

    /// Number of elements.
    package var count: Int {
        switch self {
        case .float(let values, _): values.count
        case .int8(let values): values.count
        case .int32(let values): values.count
        }
    }

    /// Bytes the elements take in the data section.
    package var byteCount: Int {
        switch self {
        case .float(let values, let dtype): values.count * dtype.byteWidth
        case .int8(let values): values.count
        case .int32(let values): values.count * 4
        }
    }
}

/// Assembles a safetensors file from tensors of mixed dtypes, in the order they are
/// appended, with the same layout `Safetensors.encoded(as:)` writes: `__metadata__` first
/// with sorted keys, the header padded with spaces to 8 bytes, data sections back to back.
package struct SafetensorsWriter: Sendable {
    /// The `__metadata__` strings.
    package var metadata: [String: String]
    private var entries: [(name: String, shape: [Int], elements: SafetensorsElements)] = []
    private var names: Set<String> = []

    package init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds a tensor; its element count must fill `shape` and its name must be new
    /// (and not `__metadata__`), as a header is a JSON object keyed by name.
    package mutating func append(_ name: String, shape: [Int], _ elements: SafetensorsElements) {
        precondition(
            elements.count == shape.reduce(1, *),
            "\(elements.count) elements do not fill shape \(shape) of '\(name)'"
        )
        precondition(name != "__metadata__" && self.names.insert(name).inserted, "tensor name '\(name)' repeated")
        self.entries.append((name, shape, elements))
    }

    /// The file's bytes.
    package func encoded() -> [UInt8] {
        var header = "{"
        if !self.metadata.isEmpty {
            let pairs = self.metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(self.metadata[$0]!))" }
            header += "\"__metadata__\":{\(pairs.joined(separator: ","))}"
        }
        var offset = 0
        for entry in self.entries {
            let size = entry.elements.byteCount
            if header.utf8.count > 1 { header += "," }
            let shape = entry.shape.map(String.init).joined(separator: ",")
            header +=
                "\(jsonString(entry.name)):{\"dtype\":\"\(entry.elements.dtypeName)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(offset),\(offset + size)]}"
            offset += size
        }
        header += "}"
        // Spaces pad the header so the data section starts 8-byte aligned, as the Python writer does.
        var headerBytes = Array(header.utf8)
        headerBytes.append(contentsOf: repeatElement(0x20, count: (8 - headerBytes.count % 8) % 8))

        let total = 8 + headerBytes.count + offset
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            raw.storeBytes(of: UInt64(headerBytes.count).littleEndian, toByteOffset: 0, as: UInt64.self)
            headerBytes.withUnsafeBytes {
                raw.baseAddress!.advanced(by: 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count)
            }
            var position = 8 + headerBytes.count
            for entry in self.entries {
                let size = entry.elements.byteCount
                Self.store(
                    entry.elements,
                    into: UnsafeMutableRawBufferPointer(rebasing: raw[position..<position + size])
                )
                position += size
            }
            initialized = total
        }
    }

    /// Writes elements little-endian into a span of exactly their byte count.
    private static func store(_ elements: SafetensorsElements, into out: UnsafeMutableRawBufferPointer) {
        switch elements {
        case .float(let values, .f32):
            for (i, value) in values.enumerated() {
                out.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
        case .float(let values, .f16):
            for (i, value) in values.enumerated() {
                out.storeBytes(of: HalfPrecision.float16Bits(value).littleEndian, toByteOffset: i * 2, as: UInt16.self)
            }
        case .float(let values, .bf16):
            for (i, value) in values.enumerated() {
                out.storeBytes(of: HalfPrecision.bfloat16Bits(value).littleEndian, toByteOffset: i * 2, as: UInt16.self)
            }
        case .int8(let values):
            values.withUnsafeBytes { out.copyMemory(from: $0) }
        case .int32(let values):
            for (i, value) in values.enumerated() {
                out.storeBytes(of: value.littleEndian, toByteOffset: i * 4, as: Int32.self)
            }
        }
    }
}

extension SafetensorsHeader {
    /// The elements of `entry` widened to Float32 when it is stored as F32, F16 or BF16,
    /// or nil for other dtypes. `file` is the whole blob this header was parsed from.
    package func floats(of entry: Entry, in file: Data) -> [Float]? {
        guard let dtype = entry.dtype else { return nil }
        return self.withBytes(of: entry, in: file) { raw in
            Safetensors.decodeElements(raw, dtype: dtype, shape: entry.shape).scalars
        }
    }

    /// The elements of `entry` when it is stored as I8, or nil.
    package func int8s(of entry: Entry, in file: Data) -> [Int8]? {
        guard entry.dtypeName == "I8" else { return nil }
        return self.withBytes(of: entry, in: file) { raw in Array(raw.bindMemory(to: Int8.self)) }
    }

    /// The elements of `entry` when it is stored as I32, or nil.
    package func int32s(of entry: Entry, in file: Data) -> [Int32]? {
        guard entry.dtypeName == "I32" else { return nil }
        return self.withBytes(of: entry, in: file) { raw in
            (0..<entry.byteCount / 4).map {
                Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))
            }
        }
    }

    /// Calls `body` with the data span of `entry`, whose bounds `parse` has checked.
    private func withBytes<T>(of entry: Entry, in file: Data, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        file.withUnsafeBytes { raw in
            let start = self.dataStart + entry.begin
            return body(UnsafeRawBufferPointer(rebasing: raw[start..<start + entry.byteCount]))
        }
    }
}
