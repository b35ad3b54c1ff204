import FedTensor

/// Batch normalisation over the channels of NCHW images: y = (x − μ_c)/√(σ²_c + ε) · γ_c + β_c,
/// with `name.weight` (γ), `name.bias` (β) and the running statistics `name.running_mean` and
/// `name.running_var` under PyTorch's names; the running statistics are frozen entries of the
/// store (`trainable: false`), so they load from and save to checkpoints but get no gradient.
///
/// Batch statistics (mean and biased variance over N, H, W) are used when `training` is true and
/// `useBatchStatistics` is set; otherwise the running statistics are, and backward goes through
/// the fixed affine map — a frozen block keeps its BatchNorm in evaluation mode while the model
/// trains by clearing `useBatchStatistics`.
///
/// `forward` only reads the store, so the running statistics are updated by an explicit call:
/// after a training forward, `updateRunningStatistics(_:)` folds that batch's mean and unbiased
/// variance in with PyTorch's rule, running = (1 − momentum)·running + momentum·batch.
package final class BatchNorm2d: Layer {
    package let weight: Int
    package let bias: Int
    package let runningMean: Int
    package let runningVariance: Int
    package let channels: Int
    package let epsilon: Float
    package let momentum: Float
    /// Whether ReLU6 follows in the same pass: the output is min(max(y, 0), 6), and backward
    /// passes gradient only where y was inside (0, 6) (EfficientNet's BN + ReLU6 as one layer).
    package let clampsToReLU6: Bool
    var ceiling: Float? { self.clampsToReLU6 ? 6 : nil }
    /// Normalise with the batch's statistics in training forwards (PyTorch's `train()`); false
    /// keeps evaluation mode even while training (PyTorch's `eval()` on a frozen block).
    package var useBatchStatistics = true
    package private(set) var output = Tensor(shape: [0])
    package private(set) var inputGradient = Tensor(shape: [0])
    /// Per channel, what the last forward normalised with (batch or running statistics).
    var mean: [Float] = []
    var rstd: [Float] = []
    /// The last training forward's biased batch variance, until `updateRunningStatistics` uses it.
    var batchVariance: [Float] = []
    /// Per channel, Σ dy and Σ dy·x̂ from the last backward, added to the γ and β gradients.
    var sumDy: [Float] = []
    var sumDyNormalized: [Float] = []
    var pendingCount = 0
    var lastUsedBatchStatistics = false
    /// Each channel's (a, b) of an in-place evaluation forward (BatchNorm2d+InPlace).
    var coefficients: [(Float, Float)] = []

    /// Adds `name.weight` (ones), `name.bias` (zeros), `name.running_mean` (zeros) and
    /// `name.running_var` (ones), all [channels]; the last two frozen.
    package init(
        _ name: String,
        channels: Int,
        epsilon: Float = 1e-5,
        momentum: Float = 0.1,
        clampsToReLU6: Bool = false,
        parameters: inout ParameterStore
    ) {
        self.clampsToReLU6 = clampsToReLU6
        self.channels = channels
        self.epsilon = epsilon
        self.momentum = momentum
        self.weight = parameters.add("\(name).weight", Tensor(shape: [channels], repeating: 1))
        self.bias = parameters.add("\(name).bias", Tensor(shape: [channels]))
        self.runningMean = parameters.add("\(name).running_mean", Tensor(shape: [channels]), trainable: false)
        self.runningVariance = parameters.add(
            "\(name).running_var",
            Tensor(shape: [channels], repeating: 1),
            trainable: false
        )
    }

    package func forward(_ input: Tensor, parameters: ParameterStore, training: Bool) {
        self.forward(input, adding: nil, parameters: parameters, training: training)
    }

    /// `forward` with `residual` (the input's shape) added to the output in the same pass, as a
    /// residual block's last batch norm does; not with `clampsToReLU6`.
    package func forward(_ input: Tensor, adding residual: Tensor?, parameters: ParameterStore, training: Bool) {
        let s = input.shape
        precondition(s.count == 4 && s[1] == self.channels, "batch norm expects [N, \(self.channels), H, W], got \(s)")
        precondition(residual == nil || (residual!.shape == s && !self.clampsToReLU6), "batch norm residual")
        let (batch, plane) = (s[0], s[2] * s[3])
        self.output.resize(s[0], s[1], s[2], s[3])
        if self.mean.count != self.channels {
            self.mean = [Float](repeating: 0, count: self.channels)
            self.rstd = [Float](repeating: 0, count: self.channels)
            self.batchVariance = [Float](repeating: 0, count: self.channels)
            self.sumDy = [Float](repeating: 0, count: self.channels)
            self.sumDyNormalized = [Float](repeating: 0, count: self.channels)
        }
        let useBatch = training && self.useBatchStatistics
        let (channels, eps, ceiling) = (self.channels, self.epsilon, self.ceiling)
        let count = Double(batch * plane)
        let residual = residual ?? Tensor(shape: [0])
        input.scalars.withUnsafeBufferPointer { x in
            parameters[self.weight].value.scalars.withUnsafeBufferPointer { gamma in
                parameters[self.bias].value.scalars.withUnsafeBufferPointer { beta in
                    parameters[self.runningMean].value.scalars.withUnsafeBufferPointer { runningMean in
                        parameters[self.runningVariance].value.scalars.withUnsafeBufferPointer { runningVariance in
                            self.mean.withUnsafeMutableBufferPointer { means in
                                self.rstd.withUnsafeMutableBufferPointer { rstds in
                                    self.batchVariance.withUnsafeMutableBufferPointer { variances in
                                        self.output.scalars.withUnsafeMutableBufferPointer { y in
                                            residual.scalars.withUnsafeBufferPointer { r in
                                                let (x, y) = (x.baseAddress!, y.baseAddress!)
                                                let r = r.isEmpty ? nil : r.baseAddress!
                                                // Channels are independent: each worker takes whole channels.
                                                Parallel.forEachChunk(channels, minimum: 1) { chunk in
                                                    for c in chunk {
                                                        var m = runningMean[c]
                                                        var v = runningVariance[c]
                                                        if useBatch {
                                                            let shift = x[c * plane]
                                                            var (sum, squares) = (0.0, 0.0)
                                                            for n in 0..<batch {
                                                                let (a, b) = BatchNormKernels.shiftedSums(
                                                                    x + (n * channels + c) * plane,
                                                                    count: plane,
                                                                    shift: shift
                                                                )
                                                                sum += a
                                                                squares += b
                                                            }
                                                            let d = sum / count
                                                            m = Float(Double(shift) + d)
                                                            v = Float(Swift.max(squares / count - d * d, 0))
                                                            variances[c] = v
                                                        }
                                                        let rs = 1 / (v + eps).squareRoot()
                                                        means[c] = m
                                                        rstds[c] = rs
                                                        // y = x·a + b with a = γ·rstd, b = β − μ·a
                                                        let a = gamma[c] * rs
                                                        let b = beta[c] - m * a
                                                        for n in 0..<batch {
                                                            let offset = (n * channels + c) * plane
                                                            BatchNormKernels.affine(
                                                                x + offset,
                                                                into: y + offset,
                                                                count: plane,
                                                                a: a,
                                                                b: b,
                                                                ceiling: ceiling,
                                                                residual: r.map { $0 + offset }
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
        self.lastUsedBatchStatistics = useBatch
        self.pendingCount = useBatch ? batch * plane : 0
    }

    /// Folds the last training forward's batch statistics into `running_mean` and `running_var`
    /// (unbiased variance, as PyTorch does), once: a second call before the next forward, or a
    /// call after an evaluation-mode forward, changes nothing. Returns whether it updated.
    @discardableResult
    package func updateRunningStatistics(_ parameters: inout ParameterStore) -> Bool {
        guard self.pendingCount > 0 else { return false }
        let count = Float(self.pendingCount)
        let unbias = count > 1 ? count / (count - 1) : 1
        let m = self.momentum
        for c in 0..<self.channels {
            parameters[self.runningMean].value.scalars[c] =
                (1 - m) * parameters[self.runningMean].value.scalars[c] + m * self.mean[c]
            parameters[self.runningVariance].value.scalars[c] =
                (1 - m) * parameters[self.runningVariance].value.scalars[c] + m * self.batchVariance[c] * unbias
        }
        self.pendingCount = 0
        return true
    }

    package func backward(
        _ input: Tensor,
        outputGradient: Tensor,
        parameters: inout ParameterStore,
        needsInputGradient: Bool
    ) {
        let s = input.shape
        let (batch, plane, channels, ceiling) = (s[0], s[2] * s[3], self.channels, self.ceiling)
        let count = Float(batch * plane)
        let useBatch = self.lastUsedBatchStatistics
        if needsInputGradient { self.inputGradient.resize(s[0], s[1], s[2], s[3]) }
        let gamma = parameters[self.weight].value
        let beta = parameters[self.bias].value
        input.scalars.withUnsafeBufferPointer { x in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                gamma.scalars.withUnsafeBufferPointer { gamma in
                    beta.scalars.withUnsafeBufferPointer { beta in
                        self.mean.withUnsafeBufferPointer { means in
                            self.rstd.withUnsafeBufferPointer { rstds in
                                self.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                                    self.sumDy.withUnsafeMutableBufferPointer { sumsDy in
                                        self.sumDyNormalized.withUnsafeMutableBufferPointer { sumsDyX in
                                            let (x, dy) = (x.baseAddress!, dy.baseAddress!)
                                            Parallel.forEachChunk(channels, minimum: 1) { chunk in
                                                for c in chunk {
                                                    let (m, r) = (means[c], rstds[c])
                                                    // The forward's affine map, for the ReLU6 mask.
                                                    let a = gamma[c] * r
                                                    let b = beta[c] - m * a
                                                    // Σ g and Σ g·x̂ over the channel's N·H·W values
                                                    var (sumG, sumGX) = (0.0, 0.0)
                                                    for n in 0..<batch {
                                                        let offset = (n * channels + c) * plane
                                                        let (g, gx) = BatchNormKernels.gradientSums(
                                                            dy + offset,
                                                            x + offset,
                                                            count: plane,
                                                            a: a,
                                                            b: b,
                                                            ceiling: ceiling
                                                        )
                                                        sumG += g
                                                        sumGX += gx
                                                    }
                                                    // Σ g·(x − m)·r = (Σ g·x − m·Σ g)·r
                                                    let sumDy = Float(sumG)
                                                    let sumDyX = Float(sumGX - Double(m) * sumG) * r
                                                    sumsDy[c] = sumDy
                                                    sumsDyX[c] = sumDyX
                                                    guard needsInputGradient else { continue }
                                                    // Batch statistics: dx = a·(g − mean(g) − x̂·mean(g·x̂));
                                                    // fixed statistics: dx = a·g. With x̂ = (x − m)·r this
                                                    // is a·g + c0 + c1·x.
                                                    let meanDy = useBatch ? sumDy / count : 0
                                                    let meanDyX = useBatch ? sumDyX / count : 0
                                                    let c1 = -a * r * meanDyX
                                                    let c0 = -a * meanDy - c1 * m
                                                    for n in 0..<batch {
                                                        let offset = (n * channels + c) * plane
                                                        BatchNormKernels.inputGradient(
                                                            dy + offset,
                                                            x + offset,
                                                            into: dx.baseAddress! + offset,
                                                            count: plane,
                                                            a: a,
                                                            b: b,
                                                            ceiling: ceiling,
                                                            scale: a,
                                                            c0: c0,
                                                            c1: c1
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
        // dγ += Σ dy·x̂, dβ += Σ dy
        parameters.withGradient(self.weight) { dgamma in
            guard let dgamma else { return }
            for c in 0..<channels { dgamma[c] += self.sumDyNormalized[c] }
        }
        parameters.withGradient(self.bias) { dbeta in
            guard let dbeta else { return }
            for c in 0..<channels { dbeta[c] += self.sumDy[c] }
        }
    }
}
