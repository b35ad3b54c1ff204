import Foundation

/// One NumPy array as read from a .npy file or an .npz member: its shape, element type and
/// the element bytes in row-major (C) order, little-endian.
package struct NumPyArray: Sendable, Equatable {
    /// Extent of each dimension, outermost first; `[]` for a 0-d array (one element).
    package let shape: [Int]
    package let dtype: NumPyDType
    /// `count · dtype.size` bytes, row-major, little-endian.
    package let bytes: [UInt8]

    /// An array over existing bytes; the byte count must fill the shape.
    package init(shape: [Int], dtype: NumPyDType, bytes: [UInt8]) {
        precondition(
            bytes.count == shape.reduce(1, *) * dtype.size,
            "\(bytes.count) bytes do not fill shape \(shape) of \(dtype)"
        )
        self.shape = shape
        self.dtype = dtype
        self.bytes = bytes
    }

    /// A uint8 array, e.g. images [N, H, W].
    package init(shape: [Int], uint8 values: [UInt8]) {
        self.init(shape: shape, dtype: .uint8, bytes: values)
    }

    /// A float32 array.
    package init(shape: [Int], float32 values: [Float]) {
        self.init(shape: shape, dtype: .float32, bytes: values.flatMap { Self.littleEndianBytes($0.bitPattern) })
    }

    /// An int64 array, e.g. labels [N].
    package init(shape: [Int], int64 values: [Int]) {
        self.init(shape: shape, dtype: .int64, bytes: values.flatMap { Self.littleEndianBytes(Int64($0)) })
    }

    /// Number of elements.
    package var count: Int { self.shape.reduce(1, *) }

    /// Parses a whole .npy file held in memory; `file` and `name` only go into errors.
    package init(npy data: Data, file: String, name: String) throws {
        let parsed: (NumPyHeader, [UInt8]) = try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let header: NumPyHeader
            do {
                header = try NumPyHeader(raw)
            } catch let problem as HeaderProblem {
                throw ImageError.badArray(file: file, array: name, reason: problem.reason)
            }
            let size = header.dtype.size
            // A crafted shape could overflow; check before multiplying out.
            var count = 1
            for extent in header.shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: extent)
                guard !overflow, product <= raw.count else {
                    throw ImageError.badArray(
                        file: file,
                        array: name,
                        reason: "shape \(header.shape) needs more bytes than the file holds (\(raw.count))"
                    )
                }
                count = product
            }
            let available = raw.count - header.dataOffset
            guard available == count * size else {
                throw ImageError.badArray(
                    file: file,
                    array: name,
                    reason: "shape \(header.shape) of \(header.dtype) needs \(count * size) bytes but "
                        + "\(available) follow the header; the file is truncated or damaged"
                )
            }
            var bytes = [UInt8](raw[header.dataOffset...])
            if header.bigEndian {
                for start in stride(from: 0, to: bytes.count, by: size) {
                    bytes[start..<(start + size)].reverse()
                }
            }
            return (header, bytes)
        }
        self.shape = parsed.0.shape
        self.dtype = parsed.0.dtype
        self.bytes = parsed.1
    }

    /// Reads a .npy file; its name without `.npy` names the array in errors.
    package static func read(contentsOf url: URL) throws -> NumPyArray {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        return try NumPyArray(npy: data, file: url.path, name: url.deletingPathExtension().lastPathComponent)
    }

    /// The .npy file (format 1.0) holding this array.
    package var npyData: Data {
        let shapeText =
            self.shape.count == 1 ? "(\(self.shape[0]),)" : "(\(self.shape.map(String.init).joined(separator: ", ")))"
        var header = "{'descr': '\(self.dtype.descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // NumPy pads the header with spaces and a newline so the data starts 64-byte aligned.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(NumPyHeader.magic + [1, 0])
        data.append(contentsOf: Self.littleEndianBytes(UInt16(header.utf8.count)))
        data.append(contentsOf: Array(header.utf8))
        data.append(contentsOf: self.bytes)
        return data
    }

    /// The elements as integers; throws for a float array. `file` and `name` go into the error.
    package func integers(file: String, name: String) throws -> [Int] {
        guard self.dtype.isInteger else {
            throw ImageError.wrongDType(file: file, array: name, found: self.dtype.rawValue, expected: "integers")
        }
        return (0..<self.count).map { self.integer(at: $0) }
    }

    /// The elements converted to Float (integers exactly up to 2²⁴).
    package func floats() -> [Float] {
        (0..<self.count).map { index in
            switch self.dtype {
            case .float16: return Float(Float16(bitPattern: UInt16(truncatingIfNeeded: self.word(at: index))))
            case .float32: return Float(bitPattern: UInt32(truncatingIfNeeded: self.word(at: index)))
            case .float64: return Float(Double(bitPattern: self.word(at: index)))
            default: return Float(self.integer(at: index))
            }
        }
    }

    /// Element `index` of an integer array, sign-extended.
    private func integer(at index: Int) -> Int {
        let word = self.word(at: index)
        switch self.dtype {
        case .int8: return Int(Int8(truncatingIfNeeded: word))
        case .int16: return Int(Int16(truncatingIfNeeded: word))
        case .int32: return Int(Int32(truncatingIfNeeded: word))
        case .int64: return Int(Int64(bitPattern: word))
        case .uint64: return Int(truncatingIfNeeded: word)
        default: return Int(word)
        }
    }

    /// The little-endian bytes of element `index` as an unsigned word.
    private func word(at index: Int) -> UInt64 {
        let size = self.dtype.size
        var word: UInt64 = 0
        for byte in 0..<size {
            word |= UInt64(self.bytes[index * size + byte]) << (8 * UInt64(byte))
        }
        return word
    }

    private static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}
