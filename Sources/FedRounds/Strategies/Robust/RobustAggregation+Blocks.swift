import FedSupport
import FedTensor

extension RobustAggregation {
    /// Walks the coordinates of `rows` in blocks of `blockSize(rows:)`, the blocks split into one
    /// contiguous run per worker: `body(chunk, columns, values)` is called for each block with
    /// `values` the block of every row, [n, columns.count] row-major (`UpdateRows.read`), in a
    /// buffer of n·B floats per chunk. Chunks run concurrently, blocks within one in order. The
    /// split depends only on the length and the worker count, and `chunks` is `chunkCount(of:)`,
    /// so callers can keep one partial result per chunk.
    static func forEachBlock(
        of rows: UpdateRows,
        chunks: Int,
        _ body: (_ chunk: Int, _ columns: Range<Int>, _ values: UnsafeMutablePointer<Float>) -> Void
    ) {
        let block = Self.blockSize(rows: rows.count)
        let blocks = (rows.length + block - 1) / block
        Parallel.forEachChunk(chunks) { range in
            let values = UnsafeMutablePointer<Float>.allocate(capacity: rows.count * block)
            defer { values.deallocate() }
            for chunk in range {
                for index in (blocks * chunk / chunks)..<(blocks * (chunk + 1) / chunks) {
                    let columns = (index * block)..<min(rows.length, (index + 1) * block)
                    rows.read(columns: columns, into: values)
                    body(chunk, columns, values)
                }
            }
        }
    }

    /// How many runs `forEachBlock` splits the blocks of `rows` into: one per worker, at most
    /// one per block.
    static func chunkCount(of rows: UpdateRows) -> Int {
        let block = Self.blockSize(rows: rows.count)
        return max(1, min(Parallel.workers, (rows.length + block - 1) / block))
    }

    /// Σ weight·row over `terms` divided by `divisor`, coordinate by coordinate, with each sum
    /// exact (`ExactScalarSum`), so the result does not depend on the order of the rows.
    static func weightedAverage(_ rows: UpdateRows, terms: [(row: Int, weight: Double)], divisor: Double) -> [Float] {
        precondition(divisor > 0, "a weighted average needs a positive total weight")
        var out = [Float](repeating: 0, count: rows.length)
        out.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            let block = Self.blockSize(rows: rows.count)
            let chunks = Self.chunkCount(of: rows)
            let sums = UnsafeMutablePointer<ExactScalarSum>.allocate(capacity: chunks * block)
            defer { sums.deallocate() }
            Self.forEachBlock(of: rows, chunks: chunks) { chunk, columns, values in
                let sum = sums + chunk * block
                sum.initialize(repeating: ExactScalarSum(), count: columns.count)
                for term in terms {
                    let row = values + term.row * columns.count
                    for c in 0..<columns.count { sum[c].add(term.weight * Double(row[c])) }
                }
                for c in 0..<columns.count { out[columns.lowerBound + c] = Float(sum[c].quotient(divisor)) }
            }
        }
        return out
    }
}
