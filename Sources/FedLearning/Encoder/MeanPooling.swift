import FedTensor
import FedText

/// Sentence-transformers' mean pooling: the average of each sentence's token vectors over
/// its real tokens ([CLS] and [SEP] included, padding excluded).
package final class MeanPooling {
    package private(set) var output = Tensor(shape: [0])
    package private(set) var inputGradient = Tensor(shape: [0])

    package init() {}

    /// pooled[B, hidden] from hidden states [B·L, hidden].
    package func forward(_ hidden: Tensor, batch: TokenBatch) {
        let (h, l) = (hidden.columns, batch.length)
        self.output.resize(rows: batch.batchSize, columns: h)
        self.output.fill(0)
        hidden.scalars.withUnsafeBufferPointer { x in
            batch.attentionMask.withUnsafeBufferPointer { m in
                self.output.scalars.withUnsafeMutableBufferPointer { y in
                    for b in 0..<batch.batchSize {
                        var count: Float = 0
                        for t in 0..<l where m[b * l + t] > 0 {
                            count += m[b * l + t]
                            let row = (b * l + t) * h
                            for i in 0..<h { y[b * h + i] += x[row + i] * m[b * l + t] }
                        }
                        let inverse = 1 / Swift.max(count, 1e-9)
                        for i in 0..<h { y[b * h + i] *= inverse }
                    }
                }
            }
        }
    }

    /// dhidden[B·L, hidden] from dpooled[B, hidden]: each real token gets its sentence's share.
    package func backward(outputGradient: Tensor, batch: TokenBatch) {
        let (h, l) = (outputGradient.columns, batch.length)
        self.inputGradient.resize(rows: batch.batchSize * l, columns: h)
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            batch.attentionMask.withUnsafeBufferPointer { m in
                self.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                    for b in 0..<batch.batchSize {
                        var count: Float = 0
                        for t in 0..<l { count += m[b * l + t] }
                        let inverse = 1 / Swift.max(count, 1e-9)
                        for t in 0..<l {
                            let weight = m[b * l + t] * inverse
                            let row = (b * l + t) * h
                            for i in 0..<h { dx[row + i] = dy[b * h + i] * weight }
                        }
                    }
                }
            }
        }
    }

    /// Each row divided by max(‖row‖₂, 1e-12), as sentence-transformers' Normalize does.
    package static func normalizeRows(_ x: inout Tensor) {
        let (rows, h) = (x.rows, x.columns)
        x.scalars.withUnsafeMutableBufferPointer { v in
            for r in 0..<rows {
                var total: Float = 0
                for i in 0..<h { total += v[r * h + i] * v[r * h + i] }
                let inverse = 1 / Swift.max(total.squareRoot(), 1e-12)
                for i in 0..<h { v[r * h + i] *= inverse }
            }
        }
    }
}
