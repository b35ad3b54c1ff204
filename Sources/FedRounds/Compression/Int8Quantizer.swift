import FedTensor

/// Symmetric per-tensor int8 quantisation with stochastic rounding.
///
/// scale = max|x| / 127 and code = x / scale rounded up with probability equal to its
/// fractional part, down otherwise, so E[code · scale] = x (unbiased: averaging many sites'
/// or rounds' codes converges to the values, where rounding to nearest would keep a bias
/// of up to scale / 2 on every element) and |code · scale − x| < scale.
package enum Int8Quantizer {
    /// The codes in −127…127 and the scale: 0 for an all-zero tensor (or one so close to zero
    /// that max|x| / 127 underflows), NaN when a value is NaN or infinite, so the coordinator
    /// refuses the update as it would a dense one instead of receiving a wrong finite value.
    package static func quantize(
        _ values: [Float],
        using generator: inout SeededGenerator
    ) -> (codes: [Int8], scale: Float) {
        var largest: Float = 0
        var finite = true
        for value in values {
            largest = Swift.max(largest, Swift.abs(value))
            finite = finite && value.isFinite
        }
        let zeros = [Int8](repeating: 0, count: values.count)
        guard finite else { return (zeros, .nan) }
        let scale = largest / 127
        guard scale > 0 else { return (zeros, 0) }
        let codes = [Int8](unsafeUninitializedCapacity: values.count) { codes, initialized in
            var bits: UInt64 = 0
            for i in 0..<values.count {
                // Two 24-bit uniforms in [0, 1) per 64-bit draw.
                if i & 1 == 0 { bits = generator.next() } else { bits >>= 32 }
                let uniform = Float(UInt32(truncatingIfNeeded: bits) >> 8) * 0x1p-24
                let scaled = Swift.min(Swift.max(values[i] / scale, -127), 127)
                let lower = scaled.rounded(.down)
                let code = uniform < scaled - lower ? lower + 1 : lower
                codes[i] = Int8(code)
            }
            initialized = values.count
        }
        return (codes, scale)
    }

    /// The values the codes stand for.
    package static func dequantize(_ codes: [Int8], scale: Float) -> [Float] {
        codes.map { Float($0) * scale }
    }
}
