import FedTensor

/// A storage's elements decoded from the file: floating-point storages as Float, integer and
/// boolean storages as Int64.
enum TorchStorageData: Sendable {
    case floats([Float])
    case integers([Int64])

    /// Decodes `count` little-endian elements of `dtype` from `raw` (which holds at least
    /// `count · dtype.byteWidth` bytes), in one pass without intermediate copies.
    static func decode(_ raw: UnsafeRawBufferPointer, dtype: TorchDType, count: Int) -> TorchStorageData {
        switch dtype {
        case .float32:
            return .floats(
                [Float](unsafeUninitializedCapacity: count) { out, initialized in
                    // Little-endian hosts (x86-64, arm64) hold Float32 exactly as the file does.
                    UnsafeMutableRawBufferPointer(out).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: raw[0..<(count * 4)])
                    )
                    #if _endian(big)
                    for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: out[i].bitPattern)) }
                    #endif
                    initialized = count
                }
            )
        case .float16:
            return .floats(self.map(raw, count: count, as: UInt16.self) { HalfPrecision.float(fromFloat16: $0) })
        case .bfloat16:
            return .floats(self.map(raw, count: count, as: UInt16.self) { HalfPrecision.float(fromBFloat16: $0) })
        case .float64:
            return .floats(self.map(raw, count: count, as: UInt64.self) { Float(Double(bitPattern: $0)) })
        case .int64:
            return .integers(self.map(raw, count: count, as: UInt64.self) { Int64(bitPattern: $0) })
        case .int32:
            return .integers(self.map(raw, count: count, as: UInt32.self) { Int64(Int32(bitPattern: $0)) })
        case .int16:
            return .integers(self.map(raw, count: count, as: UInt16.self) { Int64(Int16(bitPattern: $0)) })
        case .int8:
            return .integers(self.map(raw, count: count, as: UInt8.self) { Int64(Int8(bitPattern: $0)) })
        case .uint8, .bool:
            return .integers(self.map(raw, count: count, as: UInt8.self) { Int64($0) })
        }
    }

    /// Reads `count` little-endian `Bits` values and converts each.
    private static func map<Bits: FixedWidthInteger, Element>(
        _ raw: UnsafeRawBufferPointer,
        count: Int,
        as _: Bits.Type,
        _ convert: (Bits) -> Element
    ) -> [Element] {
        let width = MemoryLayout<Bits>.size
        return [Element](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count {
                out.initializeElement(
                    at: i,
                    to: convert(Bits(littleEndian: raw.loadUnaligned(fromByteOffset: i * width, as: Bits.self)))
                )
            }
            initialized = count
        }
    }
}

/// Reads a tensor's elements out of its storage by offset and strides, row-major.
enum StridedView {
    /// The elements of `tensor` from `storage` (its whole storage, not the view), or why not.
    /// Contiguous tensors are one slice (or the storage itself); other strides are gathered.
    static func elements<Element>(
        of tensor: TorchTensorReference,
        in storage: [Element]
    ) -> Result<[Element], StridedViewError> {
        let base = tensor.storage.view?.offset ?? 0
        let available = tensor.storage.view?.count ?? storage.count
        var count = 1
        var last = tensor.offset
        for (size, stride) in zip(tensor.shape, tensor.stride) {
            let (product, productOverflow) = count.multipliedReportingOverflow(by: size)
            guard !productOverflow else { return .failure(.tooManyElements) }
            count = product
            if size == 0 { continue }
            let (reach, reachOverflow) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, sumOverflow) = last.addingReportingOverflow(reach)
            guard !reachOverflow, !sumOverflow else {
                return .failure(.outOfRange(last: Int.max, available: available))
            }
            last = sum
        }
        if count == 0 { return .success([]) }
        guard last < available else { return .failure(.outOfRange(last: last, available: available)) }
        // Views that repeat elements (stride 0) must not expand a small storage into a huge tensor.
        guard count <= available else { return .failure(.overlapping(count: count, available: available)) }

        let start = base + tensor.offset
        if self.isContiguous(shape: tensor.shape, stride: tensor.stride) {
            if start == 0 && count == storage.count { return .success(storage) }
            return .success(Array(storage[start..<(start + count)]))
        }
        return .success(self.gather(storage, from: start, count: count, shape: tensor.shape, stride: tensor.stride))
    }

    /// Strided elements in row-major order: a tight loop along the innermost dimension and an
    /// odometer over the outer ones (dimensions of size 1 dropped, so a [320, 1152, 1, 1]
    /// transpose walks rows of 1152).
    private static func gather<Element>(
        _ storage: [Element],
        from start: Int,
        count: Int,
        shape fullShape: [Int],
        stride fullStride: [Int]
    ) -> [Element] {
        let kept = fullShape.indices.filter { fullShape[$0] != 1 }
        let shape = kept.map { fullShape[$0] }
        let stride = kept.map { fullStride[$0] }
        let inner = shape.last ?? 1
        let innerStride = stride.last ?? 1
        let outerRank = Swift.max(shape.count - 1, 0)
        return storage.withUnsafeBufferPointer { source in
            [Element](unsafeUninitializedCapacity: count) { out, initialized in
                var index = [Int](repeating: 0, count: outerRank)
                var rowStart = start
                var written = 0
                while written < count {
                    var position = rowStart
                    for offset in 0..<inner {
                        out.initializeElement(at: written + offset, to: source[position])
                        position += innerStride
                    }
                    written += inner
                    // Advance the outer odometer, innermost outer dimension fastest.
                    var dimension = outerRank - 1
                    while dimension >= 0 {
                        index[dimension] += 1
                        rowStart += stride[dimension]
                        if index[dimension] < shape[dimension] { break }
                        rowStart -= stride[dimension] * shape[dimension]
                        index[dimension] = 0
                        dimension -= 1
                    }
                }
                initialized = count
            }
        }
    }

    /// Whether row-major order over `shape` walks the storage one element at a time
    /// (dimensions of size 1 may carry any stride).
    static func isContiguous(shape: [Int], stride: [Int]) -> Bool {
        var expected = 1
        for (size, step) in zip(shape, stride).reversed() where size != 1 {
            if step != expected { return false }
            expected *= size
        }
        return true
    }
}

/// Why a tensor's view does not fit its storage.
enum StridedViewError: Error, Equatable {
    case tooManyElements
    case outOfRange(last: Int, available: Int)
    case overlapping(count: Int, available: Int)

    var detail: String {
        switch self {
        case .tooManyElements:
            "its size has more elements than memory can address"
        case .outOfRange(let last, let available):
            "its offset, size and strides reach element \(last) of a storage of \(available) elements"
        case .overlapping(let count, let available):
            "it repeats elements (\(count) from a storage of \(available)); re-save it with .contiguous()"
        }
    }
}
