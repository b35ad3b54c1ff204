import FedSupport
import FedTensor

extension RobustAggregation {
    /// Norm bounding: bound = `multiple` × the median of the rows' L2 norms; each row longer
    /// than the bound is scaled to it (`norm > bound ? bound / norm : 1`, never dividing by a
    /// zero norm), then the example-weighted average of the scaled rows is taken. Two passes
    /// over the rows: the norms, then the average.
    static func normBounding(_ rows: UpdateRows, weights: [Double], multiple: Double) -> RobustResult {
        let norms = Self.norms(rows)
        let sorted = norms.sorted()
        let n = sorted.count
        let medianNorm = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        let bound = multiple * medianNorm
        let scales = norms.map { $0 > bound ? bound / $0 : 1 }
        let average = Self.weightedAverage(
            rows,
            terms: (0..<n).map { (row: $0, weight: weights[$0] * scales[$0]) },
            divisor: weights.reduce(0, +)
        )
        let clipped = (0..<n).filter { scales[$0] < 1 }
        return RobustResult(
            average: average,
            scales: scales.map { Float($0) },
            note: "bounded norms at \(Float(bound)) (\(multiple) × the median norm \(Float(medianNorm))); "
                + "scaled down rows \(clipped) of \(n)"
        )
    }

    /// Each row's L2 norm, [n], summed block by block exactly (independent of the split).
    static func norms(_ rows: UpdateRows) -> [Double] {
        let n = rows.count
        let chunks = Self.chunkCount(of: rows)
        var partials = [ExactScalarSum](repeating: ExactScalarSum(), count: chunks * n)
        partials.withUnsafeMutableBufferPointer { partials in
            let partials = partials.baseAddress!
            Self.forEachBlock(of: rows, chunks: chunks) { chunk, columns, values in
                for i in 0..<n {
                    let x = values + i * columns.count
                    partials[chunk * n + i].add(Double(BLAS.dot(count: columns.count, x: x, y: x)))
                }
            }
        }
        return (0..<n).map { i in
            var sum = ExactScalarSum()
            for chunk in 0..<chunks { sum.add(partials[chunk * n + i]) }
            return sum.quotient(1).squareRoot()
        }
    }
}
