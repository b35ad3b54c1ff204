/// Maps a clipped update (every coordinate in [−C, C], which ‖x‖ ≤ C guarantees) to
/// integers modulo 2³² for masking, and the masked sum back to floats.
///
/// Coordinates become signed integers in [−M, M] with M = ⌊(2³¹ − 1) / n⌋ for at most n
/// summands, stored as their two's-complement bit pattern. A sum of up to n of them stays in
/// [−(2³¹ − 1), 2³¹ − 1], so adding modulo 2³² and reading the result as `Int32` gives the
/// exact integer sum: no wrap and no offset to remove.
///
/// Rounding is stochastic: x·s rounds up with probability equal to its fractional part, so
/// the quantised value is unbiased, E[q/s] = x, and |q/s − x| < 1/s = C/M for each site and
/// coordinate. A sum over m ≤ n sites is therefore within m·C/M of the true sum per coordinate,
/// plus the final conversion to `Float` (relative 2⁻²⁴). With n = 20 and C = 1 that is
/// 20/107,374,182 ≈ 1.9·10⁻⁷, well below float resolution for weights of order 1.
package struct Quantizer: Codable, Sendable, Equatable {
    /// C: the clipping bound every coordinate lies within.
    package var clipBound: Float
    /// n: the most updates that will be summed (the sampled sites of the round).
    package var maxSummands: Int

    package init(clipBound: Float, maxSummands: Int) {
        self.clipBound = clipBound
        self.maxSummands = maxSummands
    }

    /// M = ⌊(2³¹ − 1) / n⌋: the largest quantised magnitude.
    package var maxLevel: Int64 { Int64(Int32.max) / Int64(Swift.max(self.maxSummands, 1)) }

    /// s = M / C: quantised units per unit of update.
    package var scale: Double { Double(self.maxLevel) / Double(self.clipBound) }

    /// The bound on |dequantise(q) − x| for one site's coordinate: 1/s = C/M.
    package var errorBound: Double { 1 / self.scale }

    /// Why `validate()` refuses these parameters, or nil when they are usable.
    package var problem: String? {
        if !(self.clipBound.isFinite && self.clipBound > 0) { return "the clip bound must be positive and finite" }
        if self.maxSummands < 1 || self.maxSummands > 1 << 20 { return "the summand count must be in 1…1,048,576" }
        return nil
    }

    /// `update` quantised coordinate by coordinate with stochastic rounding from `generator`.
    /// Throws when a coordinate is not finite or lies beyond the clip bound (beyond a slack of
    /// 2⁻²⁰ relative for the clipping's own rounding, within which it is clamped).
    package func quantize(
        _ update: [Float],
        using generator: inout some RandomNumberGenerator
    ) throws(SecAggError) -> [UInt32] {
        let limit = self.maxLevel
        let scale = self.scale
        let slack = Double(self.clipBound) * (1 + 1.0 / Double(1 << 20))
        var out = [UInt32](repeating: 0, count: update.count)
        for (index, value) in update.enumerated() {
            let x = Double(value)
            guard x.isFinite, abs(x) <= slack else {
                throw .unquantisable(index: index, value: value, clipBound: self.clipBound)
            }
            let scaled = Swift.min(Swift.max(x * scale, -Double(limit)), Double(limit))
            let floor = scaled.rounded(.down)
            // A uniform draw in [0, 1) with 53 bits: round up with probability scaled − floor.
            let draw = Double(generator.next() >> 11) * 0x1p-53
            let level = Swift.min(Int64(floor) + (draw < scaled - floor ? 1 : 0), limit)
            out[index] = UInt32(truncatingIfNeeded: level)
        }
        return out
    }

    /// The sum of quantised updates (as added modulo 2³²) back in update units.
    package func dequantize(_ sum: [UInt32]) -> [Float] {
        let inverse = 1 / self.scale
        return sum.map { Float(Double(Int32(bitPattern: $0)) * inverse) }
    }
}
