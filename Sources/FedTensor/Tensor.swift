/// A dense Float32 array with a shape, stored contiguously in row-major order.
///
/// Tensors are values: copying one shares storage until either copy is written
/// (copy-on-write), so layers keep their buffers uniquely owned and write into them
/// in place during a training step without allocating.
package struct Tensor: Sendable, Equatable {
    /// Extent of each dimension, outermost first.
    package private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    package var scalars: [Float]

    /// A tensor of the given shape with every element set to `value`.
    package init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor over existing elements; the count must match the shape.
    package init(shape: [Int], scalars: [Float]) {
        precondition(
            scalars.count == shape.reduce(1, *),
            "\(scalars.count) scalars do not fill shape \(shape)"
        )
        self.shape = shape
        self.scalars = scalars
    }

    /// A rank-0 tensor holding one value.
    package init(scalar: Float) {
        self.init(shape: [], scalars: [scalar])
    }

    /// Number of elements.
    package var count: Int { self.scalars.count }

    /// Number of dimensions.
    package var rank: Int { self.shape.count }

    /// Size of the first dimension (rows of a matrix, batch of a batch).
    package var rows: Int { self.shape.first ?? 1 }

    /// Product of every dimension after the first (columns of a matrix).
    package var columns: Int { self.shape.dropFirst().reduce(1, *) }

    /// Changes the shape in place, keeping the storage when the element count is unchanged,
    /// so buffers sized once per batch shape are reused instead of reallocated.
    package mutating func resize(to newShape: [Int]) {
        if self.shape == newShape { return }
        let newCount = newShape.reduce(1, *)
        if newCount != self.scalars.count {
            self.scalars = [Float](repeating: 0, count: newCount)
        }
        self.shape = newShape
    }

    /// `resize(to: [rows, columns])` without building the shape array when it is
    /// already right, so per-step calls allocate nothing.
    package mutating func resize(rows: Int, columns: Int) {
        if self.shape.count == 2 && self.shape[0] == rows && self.shape[1] == columns { return }
        self.resize(to: [rows, columns])
    }

    /// `resize(to:)` to this shape with its first dimension replaced by `rows`, without
    /// building a new shape array when nothing changes.
    package mutating func resize(like other: Tensor, rows: Int) {
        if self.shape.count == Swift.max(other.shape.count, 1) && self.shape.first == rows
            && self.shape.dropFirst().elementsEqual(other.shape.dropFirst())
        {
            return
        }
        var shape = other.shape.isEmpty ? [1] : other.shape
        shape[0] = rows
        self.resize(to: shape)
    }

    /// The same elements seen through another shape with the same element count.
    package func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: self.scalars)
    }

    /// Sets every element to `value` without reallocating.
    package mutating func fill(_ value: Float) {
        self.scalars.withUnsafeMutableBufferPointer { buffer in
            buffer.update(repeating: value)
        }
    }

    /// Element at a multi-dimensional index (for tests and small tools, not hot loops).
    package subscript(_ index: Int...) -> Float {
        get { self.scalars[self.offset(of: index)] }
        set { self.scalars[self.offset(of: index)] = newValue }
    }

    private func offset(of index: [Int]) -> Int {
        precondition(index.count == self.shape.count, "index \(index) does not match shape \(self.shape)")
        var offset = 0
        for (i, dim) in zip(index, self.shape) {
            precondition(i >= 0 && i < dim, "index \(index) out of range for shape \(self.shape)")
            offset = offset * dim + i
        }
        return offset
    }

    /// Copies rows `indices` of a matrix-like tensor into `out` [indices.count, columns],
    /// reusing `out`'s storage; used to assemble minibatches without allocating.
    package func gatherRows(_ indices: ArraySlice<Int>, into out: inout Tensor) {
        let start = indices.startIndex
        self.gatherRows(count: indices.count, into: &out) { indices[start + $0] }
    }

    /// Copies the rows in `range` into `out` (see `gatherRows(_:into:)`).
    package func gatherRows(_ range: Range<Int>, into out: inout Tensor) {
        self.gatherRows(count: range.count, into: &out) { range.lowerBound + $0 }
    }

    /// Copies `count` rows into `out`, row `i` of `out` being row `source(i)` of self.
    /// Non-generic on purpose: a generic collection of indices is not specialised
    /// across modules and would box every index on the heap.
    package func gatherRows(count: Int, into out: inout Tensor, source: (Int) -> Int) {
        let width = self.columns
        out.resize(like: self, rows: count)
        guard width > 0 else { return }
        self.scalars.withUnsafeBufferPointer { from in
            out.scalars.withUnsafeMutableBufferPointer { to in
                for row in 0..<count {
                    (to.baseAddress! + row * width).update(from: from.baseAddress! + source(row) * width, count: width)
                }
            }
        }
    }
}

extension Tensor: CustomStringConvertible {
    package var description: String {
        let preview = self.scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        let more = self.count > 8 ? ", …" : ""
        return "Tensor(shape: \(self.shape), [\(preview)\(more)])"
    }
}
