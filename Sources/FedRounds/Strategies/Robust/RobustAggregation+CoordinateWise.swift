import FedSupport

extension RobustAggregation {
    /// The coordinate-wise median (`trim` nil) or trimmed mean dropping `trim` values at each end,
    /// [length]. Block by block, the n values of each coordinate are gathered side by side into a
    /// second buffer of n·B floats per worker and selected there (O(n) per coordinate).
    static func coordinateWise(_ rows: UpdateRows, trim: Int?) -> [Float] {
        let n = rows.count
        let block = Self.blockSize(rows: n)
        let chunks = Self.chunkCount(of: rows)
        var out = [Float](repeating: 0, count: rows.length)
        out.withUnsafeMutableBufferPointer { out in
            let out = out.baseAddress!
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: chunks * n * block)
            defer { scratch.deallocate() }
            Self.forEachBlock(of: rows, chunks: chunks) { chunk, columns, values in
                let gathered = scratch + chunk * n * block
                // gathered[c·n + i] = row i's value at coordinate start + c.
                for i in 0..<n {
                    let row = values + i * columns.count
                    for c in 0..<columns.count { gathered[c * n + i] = row[c] }
                }
                for c in 0..<columns.count {
                    let values = gathered + c * n
                    out[columns.lowerBound + c] =
                        if let trim { Self.trimmedMean(values, count: n, trim: trim) } else {
                            Self.median(values, count: n)
                        }
                }
            }
        }
        return out
    }

    /// The median of `count` values (reordered in place); with an even count, the mean of the
    /// two middle values, rounded once.
    static func median(_ values: UnsafeMutablePointer<Float>, count: Int) -> Float {
        let k = count / 2
        QuickSelect.select(values, k, low: 0, high: count - 1)
        guard count % 2 == 0 else { return values[k] }
        // After selection the lower middle is the largest value before position k.
        var lower = values[0]
        for i in 1..<k where values[i] > lower { lower = values[i] }
        return Float((Double(lower) + Double(values[k])) / 2)
    }

    /// The mean of `count` values without the `trim` largest and `trim` smallest (reordered in
    /// place); the sum is exact, so the order of the values does not change the result.
    static func trimmedMean(_ values: UnsafeMutablePointer<Float>, count: Int, trim: Int) -> Float {
        precondition(2 * trim < count, "trimming \(trim) at each end of \(count) values leaves none")
        if trim > 0 {
            // The trim smallest end up in 0..<trim, then the trim largest in count−trim..<count.
            QuickSelect.select(values, trim, low: 0, high: count - 1)
            QuickSelect.select(values, count - trim - 1, low: trim, high: count - 1)
        }
        var sum = ExactScalarSum()
        for i in trim..<(count - trim) { sum.add(Double(values[i])) }
        return Float(sum.quotient(Double(count - 2 * trim)))
    }
}
