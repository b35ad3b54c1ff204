import COpenBLAS

/// Every call into OpenBLAS lives here, so the row-major conventions and transposes
/// are stated once. Matrices are row-major; `lda` is the length of a stored row.
package enum BLAS {
    /// C[m,n] = alpha · op(A)[m,k] · op(B)[k,n] + beta · C[m,n], where op transposes when asked.
    ///
    /// A is stored [m,k] (or [k,m] when `transposeA`), B is stored [k,n] (or [n,k] when
    /// `transposeB`).
    @inlinable
    package static func gemm(
        transposeA: Bool,
        transposeB: Bool,
        m: Int,
        n: Int,
        k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>,
        b: UnsafePointer<Float>,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m),
            Int32(n),
            Int32(k),
            alpha,
            a,
            Int32(transposeA ? m : k),
            b,
            Int32(transposeB ? k : n),
            beta,
            c,
            Int32(n)
        )
    }

    /// The same product on sub-matrices of larger row-major buffers: `lda`, `ldb` and `ldc`
    /// are the stored row lengths, so one attention head's columns of a [tokens, hidden]
    /// buffer are used in place, without copying them out.
    @inlinable
    package static func gemm(
        transposeA: Bool,
        transposeB: Bool,
        m: Int,
        n: Int,
        k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>,
        lda: Int,
        b: UnsafePointer<Float>,
        ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>,
        ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m),
            Int32(n),
            Int32(k),
            alpha,
            a,
            Int32(lda),
            b,
            Int32(ldb),
            beta,
            c,
            Int32(ldc)
        )
    }

    /// y += alpha · x over `count` elements.
    @inlinable
    package static func axpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
    }

    /// x · y over `count` elements.
    @inlinable
    package static func dot(count: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        cblas_sdot(Int32(count), x, 1, y, 1)
    }

    /// x *= alpha over `count` elements.
    @inlinable
    package static func scal(count: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
        cblas_sscal(Int32(count), alpha, x, 1)
    }

    /// The name of the compute kernel OpenBLAS picked for this CPU (e.g. "Haswell", "Cooperlake").
    package static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Threads OpenBLAS may use for one call.
    package static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Caps the threads OpenBLAS may use; one thread per site process keeps a
    /// simulated federation from oversubscribing the cores.
    package static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }
}
