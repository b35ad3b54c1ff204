import Foundation

// Elementwise operations and reductions. The loops run over unsafe buffers with no
// bounds checks so the optimiser vectorises them; shapes are checked once up front.

extension Tensor {
    /// self += other, elementwise.
    package mutating func add(_ other: Tensor) {
        precondition(self.count == other.count, "add: \(self.shape) and \(other.shape) differ in size")
        self.axpy(1, other)
    }

    /// self -= other, elementwise.
    package mutating func subtract(_ other: Tensor) {
        precondition(self.count == other.count, "subtract: \(self.shape) and \(other.shape) differ in size")
        self.axpy(-1, other)
    }

    /// self += alpha · x, elementwise (BLAS saxpy).
    package mutating func axpy(_ alpha: Float, _ x: Tensor) {
        precondition(self.count == x.count, "axpy: \(self.shape) and \(x.shape) differ in size")
        let count = self.count
        x.scalars.withUnsafeBufferPointer { px in
            self.scalars.withUnsafeMutableBufferPointer { py in
                guard count > 0 else { return }
                BLAS.axpy(count: count, alpha: alpha, x: px.baseAddress!, y: py.baseAddress!)
            }
        }
    }

    /// self += alpha · x with the product rounded before the sum (no fused multiply-add), so
    /// that a + b and b + a give the same bits: a running sum of two weighted updates does
    /// not depend on which arrived first. As fast as saxpy (both are bound by memory).
    package mutating func addScaled(_ alpha: Float, _ x: Tensor) {
        precondition(self.count == x.count, "addScaled: \(self.shape) and \(x.shape) differ in size")
        x.scalars.withUnsafeBufferPointer { px in
            self.scalars.withUnsafeMutableBufferPointer { py in
                for i in 0..<py.count { py[i] = py[i] + alpha * px[i] }
            }
        }
    }

    /// self *= other, elementwise.
    package mutating func multiply(_ other: Tensor) {
        precondition(self.count == other.count, "multiply: \(self.shape) and \(other.shape) differ in size")
        other.scalars.withUnsafeBufferPointer { px in
            self.scalars.withUnsafeMutableBufferPointer { py in
                for i in 0..<py.count { py[i] *= px[i] }
            }
        }
    }

    /// self *= alpha.
    package mutating func scale(by alpha: Float) {
        self.scalars.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] *= alpha }
        }
    }

    /// A new tensor holding self · alpha, written in one pass (a copy followed by
    /// `scale(by:)` would walk the data twice); elementwise the same products.
    package func scaled(by alpha: Float) -> Tensor {
        let scalars = self.scalars.withUnsafeBufferPointer { p in
            [Float](unsafeUninitializedCapacity: p.count) { out, initialized in
                for i in 0..<p.count { out[i] = p[i] * alpha }
                initialized = p.count
            }
        }
        return Tensor(shape: self.shape, scalars: scalars)
    }

    /// Applies `body` to every element in place.
    @inlinable
    package mutating func apply(_ body: (Float) -> Float) {
        self.scalars.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = body(p[i]) }
        }
    }

    /// Adds `row` [columns] to every row of a matrix-like tensor (a bias broadcast).
    package mutating func addRowVector(_ row: Tensor) {
        let width = self.columns
        precondition(row.count == width, "addRowVector: row of \(row.count) for width \(width)")
        let rows = self.count / Swift.max(width, 1)
        row.scalars.withUnsafeBufferPointer { pr in
            self.scalars.withUnsafeMutableBufferPointer { p in
                for r in 0..<rows {
                    let base = r * width
                    for c in 0..<width { p[base + c] += pr[c] }
                }
            }
        }
    }

    /// Adds the column sums of matrix-like `matrix` [rows, columns] into self [columns]
    /// (the bias gradient).
    package mutating func accumulateColumnSums(of matrix: Tensor) {
        let width = matrix.columns
        precondition(self.count == width, "accumulateColumnSums: \(self.count) for width \(width)")
        let rows = matrix.count / Swift.max(width, 1)
        matrix.scalars.withUnsafeBufferPointer { pm in
            self.scalars.withUnsafeMutableBufferPointer { p in
                for r in 0..<rows {
                    let base = r * width
                    for c in 0..<width { p[c] += pm[base + c] }
                }
            }
        }
    }

    /// Sum of all elements, accumulated in Double so long tensors keep their precision.
    package func sum() -> Float {
        self.scalars.withUnsafeBufferPointer { p in
            var total: Double = 0
            for v in p { total += Double(v) }
            return Float(total)
        }
    }

    /// Mean of all elements (0 for an empty tensor).
    package func mean() -> Float {
        self.count == 0 ? 0 : self.sum() / Float(self.count)
    }

    /// Largest element (-infinity for an empty tensor).
    package func max() -> Float {
        self.scalars.withUnsafeBufferPointer { p in
            var best = -Float.infinity
            for v in p where v > best { best = v }
            return best
        }
    }

    /// Smallest element (+infinity for an empty tensor).
    package func min() -> Float {
        self.scalars.withUnsafeBufferPointer { p in
            var best = Float.infinity
            for v in p where v < best { best = v }
            return best
        }
    }

    /// Sum of squares, accumulated in Double (the square of the L2 norm).
    package func squaredNorm() -> Double {
        self.scalars.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return 0 }
            // Sixteen running sums in two vectors: one running sum is a chain of dependent
            // adds that the optimiser may not reorder, four times slower than memory.
            // Each product is exact in Double, so only the order of the additions differs.
            let raw = UnsafeRawPointer(base)
            var even = SIMD8<Double>()
            var odd = SIMD8<Double>()
            var i = 0
            while i + 16 <= p.count {
                let a = SIMD8<Double>(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
                let b = SIMD8<Double>(raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self))
                even += a * a
                odd += b * b
                i += 16
            }
            var tail: Double = 0
            while i < p.count {
                tail += Double(p[i]) * Double(p[i])
                i += 1
            }
            return (even + odd).sum() + tail
        }
    }

    /// Sum of squares as `squaredNorm()`, or nil when any element is NaN or infinite:
    /// the one pass over an update that both validation and clipping need.
    package func finiteSquaredNorm() -> Double? {
        // A NaN or infinity makes the sum NaN or infinite, and finite Float squares
        // (below 1.2e77) cannot overflow a Double sum, so the sum is finite exactly
        // when every element is.
        let total = self.squaredNorm()
        return total.isFinite ? total : nil
    }

    /// Euclidean (L2) norm.
    package func norm() -> Float { Float(self.squaredNorm().squareRoot()) }

    /// Dot product with another tensor of the same size.
    package func dot(_ other: Tensor) -> Float {
        precondition(self.count == other.count, "dot: \(self.shape) and \(other.shape) differ in size")
        guard self.count > 0 else { return 0 }
        return self.scalars.withUnsafeBufferPointer { px in
            other.scalars.withUnsafeBufferPointer { py in
                BLAS.dot(count: self.count, x: px.baseAddress!, y: py.baseAddress!)
            }
        }
    }

    /// True when no element is NaN or infinite.
    package var isFinite: Bool { self.finiteSquaredNorm() != nil }

    /// Index of the largest element in each row of a matrix-like tensor.
    package func argmaxRows() -> [Int] {
        let width = self.columns
        let rows = width == 0 ? 0 : self.count / width
        return self.scalars.withUnsafeBufferPointer { p in
            (0..<rows).map { r in
                var best = 0
                for c in 1..<Swift.max(width, 1) where p[r * width + c] > p[r * width + best] { best = c }
                return best
            }
        }
    }

    /// Largest absolute elementwise difference to another tensor of the same size.
    package func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(self.count == other.count, "maxAbsDifference: \(self.shape) and \(other.shape) differ in size")
        var worst: Float = 0
        for (a, b) in zip(self.scalars, other.scalars) { worst = Swift.max(worst, abs(a - b)) }
        return worst
    }
}
