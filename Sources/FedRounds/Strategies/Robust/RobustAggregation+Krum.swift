import FedSupport
import FedTensor

extension RobustAggregation {
    /// Krum (m = 1: the best-scored row itself) or Multi-Krum (the example-weighted average of
    /// the m best-scored rows). A row's score is the sum of its squared distances to its
    /// n − f − 2 nearest other rows, summed smallest first; ties go to the lower row.
    static func krum(_ rows: UpdateRows, weights: [Double], f: Int, m: Int) -> RobustResult {
        let n = rows.count
        let distances = Self.squaredDistances(rows)
        let neighbours = n - f - 2
        let scores = (0..<n).map { i in
            (0..<n).filter { $0 != i }.map { distances[i * n + $0] }.sorted().prefix(neighbours).reduce(0, +)
        }
        let ranked = (0..<n).sorted { (scores[$0], $0) < (scores[$1], $1) }
        let selected = Array(ranked.prefix(m))
        if m == 1 {
            let chosen = selected[0]
            let average = [Float](unsafeUninitializedCapacity: rows.length) { buffer, initialized in
                rows.read(row: chosen, columns: 0..<rows.length, into: buffer.baseAddress!)
                initialized = rows.length
            }
            return RobustResult(
                average: average,
                selected: selected,
                note: "Krum kept row \(chosen) of \(n) (score \(scores[chosen]), the next best \(scores[ranked[1]]))"
            )
        }
        let average = Self.weightedAverage(
            rows,
            terms: selected.map { (row: $0, weight: weights[$0]) },
            divisor: selected.reduce(0) { $0 + weights[$1] }
        )
        let dropped = ranked.dropFirst(m).sorted()
        return RobustResult(
            average: average,
            selected: selected,
            note: "Multi-Krum averaged \(m) of \(n) rows, leaving out rows \(dropped)"
        )
    }

    /// The squared Euclidean distances between all rows, [n, n] row-major and symmetric, in one
    /// pass over the rows, block by block: per block and pair, d = x_j − x_i in a scratch of B
    /// floats (BLAS copy, axpy), then d·d; the per-block results are summed exactly, so the
    /// distances do not depend on how the blocks were split between workers. Subtracting first
    /// (rather than ‖x_i‖² + ‖x_j‖² − 2·x_i·x_j) keeps the distance between two close updates
    /// accurate however large they are.
    static func squaredDistances(_ rows: UpdateRows) -> [Double] {
        let n = rows.count
        let block = Self.blockSize(rows: n)
        let chunks = Self.chunkCount(of: rows)
        let pairs = n * n
        let partials = UnsafeMutablePointer<ExactScalarSum>.allocate(capacity: chunks * pairs)
        partials.initialize(repeating: ExactScalarSum(), count: chunks * pairs)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: chunks * block)
        defer {
            partials.deallocate()
            scratch.deallocate()
        }
        Self.forEachBlock(of: rows, chunks: chunks) { chunk, columns, values in
            let difference = scratch + chunk * block
            let partial = partials + chunk * pairs
            let width = columns.count
            for i in 0..<n {
                let x = values + i * width
                for j in (i + 1)..<n {
                    let y = values + j * width
                    // difference = y − x
                    difference.update(from: y, count: width)
                    BLAS.axpy(count: width, alpha: -1, x: x, y: difference)
                    partial[i * n + j].add(Double(BLAS.dot(count: width, x: difference, y: difference)))
                }
            }
        }
        var distances = [Double](repeating: 0, count: pairs)
        for i in 0..<n {
            for j in (i + 1)..<n {
                var sum = ExactScalarSum()
                for chunk in 0..<chunks { sum.add(partials[chunk * pairs + i * n + j]) }
                distances[i * n + j] = sum.quotient(1)
                distances[j * n + i] = distances[i * n + j]
            }
        }
        return distances
    }
}
