import FedTensor

/// Layer normalisation over the last dimension: y = (x − mean) · rstd · γ + β.
/// Forward keeps each row's mean and reciprocal standard deviation for backward
/// (llm.c's layernorm_forward / layernorm_backward).
package final class LayerNorm: Layer {
    package let weight: Int
    package let bias: Int
    package let width: Int
    package let epsilon: Float
    package private(set) var output = Tensor(shape: [0])
    package private(set) var inputGradient = Tensor(shape: [0])
    private var mean: [Float] = []
    private var rstd: [Float] = []

    /// Adds `name.weight` (ones) and `name.bias` (zeros), both [width].
    package init(_ name: String, width: Int, epsilon: Float = 1e-12, parameters: inout ParameterStore) {
        self.width = width
        self.epsilon = epsilon
        self.weight = parameters.add("\(name).weight", Tensor(shape: [width], repeating: 1))
        self.bias = parameters.add("\(name).bias", Tensor(shape: [width]))
    }

    package func forward(_ input: Tensor, parameters: ParameterStore, training: Bool) {
        let c = self.width
        let rows = input.count / c
        self.output.resize(to: input.shape)
        if self.mean.count != rows {
            self.mean = [Float](repeating: 0, count: rows)
            self.rstd = [Float](repeating: 0, count: rows)
        }
        let eps = self.epsilon
        input.scalars.withUnsafeBufferPointer { x in
            parameters[self.weight].value.scalars.withUnsafeBufferPointer { g in
                parameters[self.bias].value.scalars.withUnsafeBufferPointer { b in
                    self.output.scalars.withUnsafeMutableBufferPointer { y in
                        self.mean.withUnsafeMutableBufferPointer { means in
                            self.rstd.withUnsafeMutableBufferPointer { rstds in
                                // Rows are independent: split them across cores for large batches.
                                Parallel.forEachChunk(rows, minimum: 256) { chunk in
                                    for r in chunk {
                                        let row = x.baseAddress! + r * c
                                        let m = RowReductions.sum(row, count: c) / Float(c)
                                        let v = RowReductions.squaredDeviations(row, count: c, center: m) / Float(c)
                                        let s = 1 / (v + eps).squareRoot()
                                        let base = r * c
                                        for i in 0..<c { y[base + i] = (x[base + i] - m) * s * g[i] + b[i] }
                                        means[r] = m
                                        rstds[r] = s
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    package func backward(
        _ input: Tensor,
        outputGradient: Tensor,
        parameters: inout ParameterStore,
        needsInputGradient: Bool
    ) {
        let c = self.width
        let rows = input.count / c
        let trainWeight = parameters[self.weight].trainable
        let trainBias = parameters[self.bias].trainable
        if needsInputGradient { self.inputGradient.resize(to: input.shape) }
        let gamma = parameters[self.weight].value
        var dgamma = trainWeight ? parameters[self.weight].grad : Tensor(shape: [0])
        var dbeta = trainBias ? parameters[self.bias].grad : Tensor(shape: [0])
        // Take the gradient buffers out of the store while writing them, so each is
        // uniquely referenced and updated in place.
        if trainWeight { parameters[self.weight].grad = Tensor(shape: [0]) }
        if trainBias { parameters[self.bias].grad = Tensor(shape: [0]) }
        input.scalars.withUnsafeBufferPointer { x in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                gamma.scalars.withUnsafeBufferPointer { g in
                    dgamma.scalars.withUnsafeMutableBufferPointer { dg in
                        dbeta.scalars.withUnsafeMutableBufferPointer { db in
                            self.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                                for r in 0..<rows {
                                    let base = r * c
                                    let m = self.mean[r]
                                    let s = self.rstd[r]
                                    // dnorm = dy · γ; dx = s · (dnorm − mean(dnorm) − norm · mean(dnorm · norm))
                                    var meanDnorm: Float = 0
                                    var meanDnormNorm: Float = 0
                                    for i in 0..<c {
                                        let norm = (x[base + i] - m) * s
                                        let dnorm = dy[base + i] * g[i]
                                        meanDnorm += dnorm
                                        meanDnormNorm += dnorm * norm
                                        if trainWeight { dg[i] += norm * dy[base + i] }
                                        if trainBias { db[i] += dy[base + i] }
                                    }
                                    guard needsInputGradient else { continue }
                                    meanDnorm /= Float(c)
                                    meanDnormNorm /= Float(c)
                                    for i in 0..<c {
                                        let norm = (x[base + i] - m) * s
                                        let dnorm = dy[base + i] * g[i]
                                        dx[base + i] = s * (dnorm - meanDnorm - norm * meanDnormNorm)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if trainWeight { parameters[self.weight].grad = dgamma }
        if trainBias { parameters[self.bias].grad = dbeta }
    }
}
