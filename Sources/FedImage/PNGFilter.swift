/// PNG's per-row filters (ISO/IEC 15948 §9): each row of the decompressed data starts with a
/// filter type byte, and its samples are differences from the left (`a`), upper (`b`) and
/// upper-left (`c`) bytes that undoing adds back.
enum PNGFilter {
    /// The samples [rows, stride] of `raw` [rows, 1 + stride] with each row's filter undone;
    /// `badFilter(row, type)` makes the error for a type byte above 4.
    static func unfilter(
        _ raw: [UInt8],
        rows: Int,
        stride: Int,
        bytesPerPixel bpp: Int,
        badFilter: (Int, UInt8) -> any Error
    ) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: rows * stride)
        try raw.withUnsafeBufferPointer { raw in
            try out.withUnsafeMutableBufferPointer { out in
                for row in 0..<rows {
                    let type = raw[row * (stride + 1)]
                    let source = row * (stride + 1) + 1
                    let target = row * stride
                    let above = target - stride  // only read when row > 0
                    switch type {
                    case 0:
                        for i in 0..<stride { out[target + i] = raw[source + i] }
                    case 1:
                        for i in 0..<stride {
                            let a = i >= bpp ? out[target + i - bpp] : 0
                            out[target + i] = raw[source + i] &+ a
                        }
                    case 2:
                        for i in 0..<stride {
                            let b = row > 0 ? out[above + i] : 0
                            out[target + i] = raw[source + i] &+ b
                        }
                    case 3:
                        for i in 0..<stride {
                            let a = i >= bpp ? Int(out[target + i - bpp]) : 0
                            let b = row > 0 ? Int(out[above + i]) : 0
                            out[target + i] = raw[source + i] &+ UInt8((a + b) >> 1)
                        }
                    case 4:
                        for i in 0..<stride {
                            let a = i >= bpp ? out[target + i - bpp] : 0
                            let b = row > 0 ? out[above + i] : 0
                            let c = row > 0 && i >= bpp ? out[above + i - bpp] : 0
                            out[target + i] = raw[source + i] &+ self.paeth(a, b, c)
                        }
                    default:
                        throw badFilter(row, type)
                    }
                }
            }
        }
        return out
    }

    /// The filter that the encoder may apply to a row (used by tests and the encoder):
    /// `row` minus its prediction, with `previous` the row above (zeros for the first).
    static func filter(
        _ type: UInt8,
        row: ArraySlice<UInt8>,
        previous: ArraySlice<UInt8>?,
        bytesPerPixel bpp: Int
    )
        -> [UInt8]
    {
        let row = Array(row)
        let above = previous.map(Array.init) ?? [UInt8](repeating: 0, count: row.count)
        return (0..<row.count).map { i in
            let a = i >= bpp ? row[i - bpp] : 0
            let b = above[i]
            let c = i >= bpp ? above[i - bpp] : 0
            switch type {
            case 1: return row[i] &- a
            case 2: return row[i] &- b
            case 3: return row[i] &- UInt8((Int(a) + Int(b)) >> 1)
            case 4: return row[i] &- self.paeth(a, b, c)
            default: return row[i]
            }
        }
    }

    /// The Paeth predictor: whichever of left, up and upper-left is closest to left + up − upper-left.
    @inline(__always)
    static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a))
        let pb = abs(p - Int(b))
        let pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }
}
