/// Branch-free exp and normal CDF for the elementwise loops of attention and GELU.
///
/// Foundation's `exp` and `erf` are calls into libm that the compiler cannot vectorise;
/// a BERT forward pass needs tens of millions of them, which would cost more than the
/// matrix products. These are written so loops over them vectorise, and are accurate
/// to a few float ulps (tested against libm).
package enum FastMath {
    /// e^x for x in float range; inputs below −87.3 give 0-ish values (never NaN), above 88.7 clamp.
    @inlinable @inline(__always)
    package static func exp(_ value: Float) -> Float {
        // Cephes expf: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6 polynomial, 2^n
        // assembled in the exponent bits.
        let x = Swift.min(Swift.max(value, -87.33), 88.72)
        let n = (x * 1.44269504088896341 + 0.5).rounded(.down)
        let r = x - n * 0.693359375 + n * 2.12194440e-4
        var p: Float = 1.9875691500e-4
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let y = p * r * r + r + 1
        // 2^n without a float-to-integer conversion (whose overflow check would stop the
        // loop from vectorising): adding 1.5·2^23 puts the integer n in the low mantissa bits.
        let integer = (n + 12_582_912).bitPattern &- 0x4B40_0000
        let scale = Float(bitPattern: (integer &+ 127) &<< 23)
        return y * scale
    }

    /// Φ(x), the standard normal CDF, as ½·erfc(−x/√2) with Numerical Recipes' erfc
    /// (fractional error below 1.2e-7 everywhere).
    @inlinable @inline(__always)
    package static func normalCDF(_ x: Float) -> Float {
        let u = -x * 0.70710678118654752
        let z = Swift.abs(u)
        let t = 1 / (1 + 0.5 * z)
        var p: Float = 0.17087277
        p = p * t - 0.82215223
        p = p * t + 1.48851587
        p = p * t - 1.13520398
        p = p * t + 0.27886807
        p = p * t - 0.18628806
        p = p * t + 0.09678418
        p = p * t + 0.37409196
        p = p * t + 1.00002368
        p = p * t - 1.26551223
        let erfcAbs = t * Self.exp(-z * z + p)
        let erfc = u >= 0 ? erfcAbs : 2 - erfcAbs
        return 0.5 * erfc
    }

    /// φ(x), the standard normal density.
    @inlinable @inline(__always)
    package static func normalPDF(_ x: Float) -> Float {
        0.3989422804014327 * Self.exp(-0.5 * x * x)
    }
}

extension FastMath {
    /// y[i] = x[i]·Φ(x[i]) (exact-erf GELU) over whole buffers; the loop lives beside the
    /// scalar functions so it is compiled with them inlined and vectorised.
    package static func gelu(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        Parallel.forEachChunk(x.count, minimum: 1 << 15) { range in
            for i in range { y[i] = x[i] * Self.normalCDF(x[i]) }
        }
    }

    /// dx[i] = dy[i]·(Φ(x[i]) + x[i]·φ(x[i])), GELU's backward.
    package static func geluBackward(
        _ x: UnsafeBufferPointer<Float>,
        _ dy: UnsafeBufferPointer<Float>,
        into dx: UnsafeMutableBufferPointer<Float>
    ) {
        Parallel.forEachChunk(x.count, minimum: 1 << 15) { range in
            for i in range { dx[i] = dy[i] * (Self.normalCDF(x[i]) + x[i] * Self.normalPDF(x[i])) }
        }
    }

    /// In place: row[j] ← mask[j]·exp(row[j] − max) / Σ, the max taken over unmasked
    /// entries (mask 1 = keep, 0 = drop). Dropped entries become exactly 0.
    package static func maskedSoftmax(_ row: UnsafeMutablePointer<Float>, count: Int, mask: UnsafePointer<Float>) {
        let largest = RowReductions.maskedMaximum(row, mask: mask, count: count)
        // exp is clamped, so a dropped score far above `largest` stays finite and ×0 is 0.
        for j in 0..<count { row[j] = Self.exp(row[j] - largest) * mask[j] }
        let inverse = 1 / RowReductions.sum(row, count: count)
        for j in 0..<count { row[j] *= inverse }
    }
}
