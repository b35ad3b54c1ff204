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
        let scale = Float(bitPattern: UInt32(truncatingIfNeeded: Int32(n) + 127) << 23)
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
