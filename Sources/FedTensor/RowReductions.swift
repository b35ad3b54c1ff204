/// Sums over one row, eight lanes at a time. Swift keeps floating-point additions in source
/// order, so a plain loop never vectorises a reduction; explicit SIMD accumulators do.
package enum RowReductions {
    /// Σ x[i] over `count` elements.
    @inlinable
    package static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            lanes += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var total = lanes.sum()
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }

    /// Σ (x[i] − center)² over `count` elements.
    @inlinable
    package static func squaredDeviations(_ x: UnsafePointer<Float>, count: Int, center: Float) -> Float {
        var lanes = SIMD8<Float>()
        let c = SIMD8<Float>(repeating: center)
        var i = 0
        while i + 8 <= count {
            let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - c
            lanes += d * d
            i += 8
        }
        var total = lanes.sum()
        while i < count {
            total += (x[i] - center) * (x[i] - center)
            i += 1
        }
        return total
    }

    /// Σ a[i]·b[i] over `count` elements.
    @inlinable
    package static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            lanes +=
                UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var total = lanes.sum()
        while i < count {
            total += a[i] * b[i]
            i += 1
        }
        return total
    }

    /// The largest x[i] where mask[i] > 0 (−greatestFiniteMagnitude when none is).
    @inlinable
    package static func maskedMaximum(_ x: UnsafePointer<Float>, mask: UnsafePointer<Float>, count: Int) -> Float {
        var largest = -Float.greatestFiniteMagnitude
        for j in 0..<count where mask[j] > 0 { largest = Swift.max(largest, x[j]) }
        return largest
    }
}
