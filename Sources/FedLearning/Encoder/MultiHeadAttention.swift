import FedTensor

/// Scaled dot-product attention over a right-padded batch, split into heads by columns:
/// head h of a [tokens, hidden] query, key or value buffer is columns h·d ..< (h+1)·d,
/// as Hugging Face's BertSelfAttention lays them out.
///
/// Padding keys get zero probability (the mask is 1 for real tokens, 0 for padding), so a
/// sentence's result does not depend on how long the batch is padded. Forward keeps the
/// probabilities [batch, heads, length, length] for backward.
final class MultiHeadAttention {
    let heads: Int
    let headWidth: Int
    /// Concatenated head outputs [tokens, hidden].
    private(set) var context = Tensor(shape: [0])
    private(set) var queryGradient = Tensor(shape: [0])
    private(set) var keyGradient = Tensor(shape: [0])
    private(set) var valueGradient = Tensor(shape: [0])
    private var probabilities: [Float] = []
    private var scratch: [Float] = []

    init(heads: Int, headWidth: Int) {
        self.heads = heads
        self.headWidth = headWidth
    }

    private var scale: Float { 1 / Float(self.headWidth).squareRoot() }

    /// context = softmax(q·kᵀ/√d + mask)·v per sentence and head; q, k, v are [B·L, hidden].
    func forward(query: Tensor, key: Tensor, value: Tensor, mask: [Float], batchSize: Int, length: Int) {
        let (hidden, d, l) = (self.heads * self.headWidth, self.headWidth, length)
        self.context.resize(rows: batchSize * l, columns: hidden)
        let square = l * l
        if self.probabilities.count != batchSize * self.heads * square {
            self.probabilities = [Float](repeating: 0, count: batchSize * self.heads * square)
        }
        let scale = self.scale
        query.scalars.withUnsafeBufferPointer { q in
            key.scalars.withUnsafeBufferPointer { k in
                value.scalars.withUnsafeBufferPointer { v in
                    mask.withUnsafeBufferPointer { m in
                        self.probabilities.withUnsafeMutableBufferPointer { p in
                            self.context.scalars.withUnsafeMutableBufferPointer { c in
                                Parallel.forEachChunk(batchSize) { sentences in
                                    for b in sentences {
                                        let rows = b * l * hidden
                                        for h in 0..<self.heads {
                                            let probs = p.baseAddress! + (b * self.heads + h) * square
                                            let column = rows + h * d
                                            BLAS.gemm(
                                                transposeA: false,
                                                transposeB: true,
                                                m: l,
                                                n: l,
                                                k: d,
                                                alpha: scale,
                                                a: q.baseAddress! + column,
                                                lda: hidden,
                                                b: k.baseAddress! + column,
                                                ldb: hidden,
                                                c: probs,
                                                ldc: l
                                            )
                                            Self.maskedSoftmax(probs, rows: l, mask: m.baseAddress! + b * l)
                                            BLAS.gemm(
                                                transposeA: false,
                                                transposeB: false,
                                                m: l,
                                                n: d,
                                                k: l,
                                                a: probs,
                                                lda: l,
                                                b: v.baseAddress! + column,
                                                ldb: hidden,
                                                c: c.baseAddress! + column,
                                                ldc: hidden
                                            )
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Softmax of each row of scores [rows, rows] over the keys whose mask is 1.
    private static func maskedSoftmax(_ scores: UnsafeMutablePointer<Float>, rows: Int, mask: UnsafePointer<Float>) {
        for i in 0..<rows { FastMath.maskedSoftmax(scores + i * rows, count: rows, mask: mask) }
    }

    /// Gradients of q, k and v from the gradient of `context`, for the inputs of the last forward.
    func backward(
        contextGradient: Tensor,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        batchSize: Int,
        length: Int
    ) {
        let (hidden, d, l) = (self.heads * self.headWidth, self.headWidth, length)
        for buffer in [\MultiHeadAttention.queryGradient, \.keyGradient, \.valueGradient] {
            self[keyPath: buffer].resize(rows: batchSize * l, columns: hidden)
        }
        let square = l * l
        // One dp/ds buffer per sentence, so sentences can be processed concurrently.
        if self.scratch.count != batchSize * square { self.scratch = [Float](repeating: 0, count: batchSize * square) }
        let scale = self.scale
        contextGradient.scalars.withUnsafeBufferPointer { dc in
            query.scalars.withUnsafeBufferPointer { q in
                key.scalars.withUnsafeBufferPointer { k in
                    value.scalars.withUnsafeBufferPointer { v in
                        self.probabilities.withUnsafeBufferPointer { p in
                            self.scratch.withUnsafeMutableBufferPointer { ds in
                                self.queryGradient.scalars.withUnsafeMutableBufferPointer { dq in
                                    self.keyGradient.scalars.withUnsafeMutableBufferPointer { dk in
                                        self.valueGradient.scalars.withUnsafeMutableBufferPointer { dv in
                                            Parallel.forEachChunk(batchSize) { sentences in
                                                for b in sentences {
                                                    for h in 0..<self.heads {
                                                        let probs = p.baseAddress! + (b * self.heads + h) * square
                                                        let column = b * l * hidden + h * d
                                                        let dscores = ds.baseAddress! + b * square
                                                        // dv = pᵀ · dc
                                                        BLAS.gemm(
                                                            transposeA: true,
                                                            transposeB: false,
                                                            m: l,
                                                            n: d,
                                                            k: l,
                                                            a: probs,
                                                            lda: l,
                                                            b: dc.baseAddress! + column,
                                                            ldb: hidden,
                                                            c: dv.baseAddress! + column,
                                                            ldc: hidden
                                                        )
                                                        // dp = dc · vᵀ, then ds = p ⊙ (dp − Σ_j dp·p)
                                                        BLAS.gemm(
                                                            transposeA: false,
                                                            transposeB: true,
                                                            m: l,
                                                            n: l,
                                                            k: d,
                                                            a: dc.baseAddress! + column,
                                                            lda: hidden,
                                                            b: v.baseAddress! + column,
                                                            ldb: hidden,
                                                            c: dscores,
                                                            ldc: l
                                                        )
                                                        Self.softmaxBackward(dscores, probs, rows: l)
                                                        // dq = ds · k / √d, dk = dsᵀ · q / √d
                                                        BLAS.gemm(
                                                            transposeA: false,
                                                            transposeB: false,
                                                            m: l,
                                                            n: d,
                                                            k: l,
                                                            alpha: scale,
                                                            a: dscores,
                                                            lda: l,
                                                            b: k.baseAddress! + column,
                                                            ldb: hidden,
                                                            c: dq.baseAddress! + column,
                                                            ldc: hidden
                                                        )
                                                        BLAS.gemm(
                                                            transposeA: true,
                                                            transposeB: false,
                                                            m: l,
                                                            n: d,
                                                            k: l,
                                                            alpha: scale,
                                                            a: dscores,
                                                            lda: l,
                                                            b: q.baseAddress! + column,
                                                            ldb: hidden,
                                                            c: dk.baseAddress! + column,
                                                            ldc: hidden
                                                        )
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// In place: dp ← p ⊙ (dp − rowwise Σ dp ⊙ p), the softmax Jacobian applied per row.
    private static func softmaxBackward(
        _ gradient: UnsafeMutablePointer<Float>,
        _ probs: UnsafePointer<Float>,
        rows: Int
    ) {
        for i in 0..<rows {
            let g = gradient + i * rows
            let p = probs + i * rows
            let dot = RowReductions.dot(g, p, count: rows)
            for j in 0..<rows { g[j] = p[j] * (g[j] - dot) }
        }
    }
}
