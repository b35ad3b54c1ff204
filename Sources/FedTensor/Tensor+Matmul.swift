extension Tensor {
    /// out[m,n] = op(a) · op(b) (+ out when `accumulate`), through cblas_sgemm.
    ///
    /// `a` is [m,k] or, transposed, [k,m]; `b` is [k,n] or, transposed, [n,k]. Higher-rank
    /// inputs are seen as matrices of [rows, columns]. `out` is resized to [m,n] and its
    /// storage reused when the size is unchanged.
    package static func matmul(
        _ a: Tensor,
        _ b: Tensor,
        transposeA: Bool = false,
        transposeB: Bool = false,
        into out: inout Tensor,
        accumulate: Bool = false,
        alpha: Float = 1
    ) {
        let (aRows, aCols) = (a.rows, a.columns)
        let (bRows, bCols) = (b.rows, b.columns)
        let m = transposeA ? aCols : aRows
        let k = transposeA ? aRows : aCols
        let kB = transposeB ? bCols : bRows
        let n = transposeB ? bRows : bCols
        precondition(
            k == kB,
            "matmul inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")"
        )
        if accumulate {
            precondition(out.count == m * n, "accumulating matmul into \(out.shape), expected [\(m), \(n)]")
        } else {
            out.resize(rows: m, columns: n)
        }
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { out.fill(0) }
            return
        }
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.scalars.withUnsafeMutableBufferPointer { pc in
                    BLAS.gemm(
                        transposeA: transposeA,
                        transposeB: transposeB,
                        m: m,
                        n: n,
                        k: k,
                        alpha: alpha,
                        a: pa.baseAddress!,
                        b: pb.baseAddress!,
                        beta: accumulate ? 1 : 0,
                        c: pc.baseAddress!
                    )
                }
            }
        }
    }

    /// The product of two matrices as a new tensor.
    package static func matmul(
        _ a: Tensor,
        _ b: Tensor,
        transposeA: Bool = false,
        transposeB: Bool = false
    ) -> Tensor {
        var out = Tensor(shape: [0])
        matmul(a, b, transposeA: transposeA, transposeB: transposeB, into: &out)
        return out
    }

    /// out[i] = op(a[i]) · op(b[i]) for every i of the leading (batch) dimension.
    ///
    /// `a` is [batch, m, k] (or [batch, k, m] transposed), `b` is [batch, k, n] (or
    /// [batch, n, k]); `out` becomes [batch, m, n]. Attention uses this per head.
    package static func batchedMatmul(
        _ a: Tensor,
        _ b: Tensor,
        transposeA: Bool = false,
        transposeB: Bool = false,
        into out: inout Tensor,
        accumulate: Bool = false,
        alpha: Float = 1
    ) {
        precondition(a.rank == 3 && b.rank == 3, "batchedMatmul takes rank-3 tensors, got \(a.shape) and \(b.shape)")
        precondition(a.shape[0] == b.shape[0], "batch sizes differ: \(a.shape) and \(b.shape)")
        let batch = a.shape[0]
        let m = transposeA ? a.shape[2] : a.shape[1]
        let k = transposeA ? a.shape[1] : a.shape[2]
        let n = transposeB ? b.shape[1] : b.shape[2]
        precondition(
            k == (transposeB ? b.shape[2] : b.shape[1]),
            "batchedMatmul inner dimensions differ: \(a.shape) · \(b.shape)"
        )
        if accumulate {
            precondition(out.shape == [batch, m, n], "accumulating into \(out.shape), expected [\(batch), \(m), \(n)]")
        } else {
            out.resize(to: [batch, m, n])
        }
        if batch == 0 || m == 0 || n == 0 { return }
        let (strideA, strideB, strideC) = (m * k, k * n, m * n)
        a.scalars.withUnsafeBufferPointer { pa in
            b.scalars.withUnsafeBufferPointer { pb in
                out.scalars.withUnsafeMutableBufferPointer { pc in
                    for i in 0..<batch {
                        BLAS.gemm(
                            transposeA: transposeA,
                            transposeB: transposeB,
                            m: m,
                            n: n,
                            k: k,
                            alpha: alpha,
                            a: pa.baseAddress! + i * strideA,
                            b: pb.baseAddress! + i * strideB,
                            beta: accumulate ? 1 : 0,
                            c: pc.baseAddress! + i * strideC
                        )
                    }
                }
            }
        }
    }
}
