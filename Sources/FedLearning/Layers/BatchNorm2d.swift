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
    /// Normalise with the batch's statistics in training forwards (PyTorch's `train()`); false
    /// keeps evaluation mode even while training (PyTorch's `eval()` on a frozen block).
    package var useBatchStatistics = true
    package private(set) var output = Tensor(shape: [0])
    package private(set) var inputGradient = Tensor(shape: [0])
    /// Per channel, what the last forward normalised with (batch or running statistics).
    private var mean: [Float] = []
    private var rstd: [Float] = []
    /// The last training forward's biased batch variance, until `updateRunningStatistics` uses it.
    private var batchVariance: [Float] = []
    /// Per channel, Σ dy and Σ dy·x̂ from the last backward, added to the γ and β gradients.
    private var sumDy: [Float] = []
    private var sumDyNormalized: [Float] = []
    private var pendingCount = 0
    private var lastUsedBatchStatistics = false

    /// Adds `name.weight` (ones), `name.bias` (zeros), `name.running_mean` (zeros) and
    /// `name.running_var` (ones), all [channels]; the last two frozen.
    package init(
        _ name: String,
        channels: Int,
        epsilon: Float = 1e-5,
        momentum: Float = 0.1,
        parameters: inout ParameterStore
    ) {
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
        let s = input.shape
        precondition(s.count == 4 && s[1] == self.channels, "batch norm expects [N, \(self.channels), H, W], got \(s)")
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
        let (channels, eps) = (self.channels, self.epsilon)
        let count = Float(batch * plane)
        input.scalars.withUnsafeBufferPointer { x in
            parameters[self.weight].value.scalars.withUnsafeBufferPointer { gamma in
                parameters[self.bias].value.scalars.withUnsafeBufferPointer { beta in
                    parameters[self.runningMean].value.scalars.withUnsafeBufferPointer { runningMean in
                        parameters[self.runningVariance].value.scalars.withUnsafeBufferPointer { runningVariance in
                            self.mean.withUnsafeMutableBufferPointer { means in
                                self.rstd.withUnsafeMutableBufferPointer { rstds in
                                    self.batchVariance.withUnsafeMutableBufferPointer { variances in
                                        self.output.scalars.withUnsafeMutableBufferPointer { y in
                                            // Channels are independent: each worker takes whole channels.
                                            Parallel.forEachChunk(channels, minimum: 1) { chunk in
                                                for c in chunk {
                                                    var m = runningMean[c]
                                                    var v = runningVariance[c]
                                                    if useBatch {
                                                        var total: Float = 0
                                                        for n in 0..<batch {
                                                            let p = x.baseAddress! + (n * channels + c) * plane
                                                            total += RowReductions.sum(p, count: plane)
                                                        }
                                                        m = total / count
                                                        var squares: Float = 0
                                                        for n in 0..<batch {
                                                            let p = x.baseAddress! + (n * channels + c) * plane
                                                            squares += RowReductions.squaredDeviations(
                                                                p,
                                                                count: plane,
                                                                center: m
                                                            )
                                                        }
                                                        v = squares / count
                                                        variances[c] = v
                                                    }
                                                    let r = 1 / (v + eps).squareRoot()
                                                    means[c] = m
                                                    rstds[c] = r
                                                    // y = x·a + b with a = γ·rstd, b = β − μ·a
                                                    let a = gamma[c] * r
                                                    let b = beta[c] - m * a
                                                    for n in 0..<batch {
                                                        let base = (n * channels + c) * plane
                                                        for i in base..<(base + plane) { y[i] = x[i] * a + b }
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
        let (batch, plane, channels) = (s[0], s[2] * s[3], self.channels)
        let count = Float(batch * plane)
        let useBatch = self.lastUsedBatchStatistics
        if needsInputGradient { self.inputGradient.resize(s[0], s[1], s[2], s[3]) }
        let gamma = parameters[self.weight].value
        input.scalars.withUnsafeBufferPointer { x in
            outputGradient.scalars.withUnsafeBufferPointer { dy in
                gamma.scalars.withUnsafeBufferPointer { gamma in
                    self.mean.withUnsafeBufferPointer { means in
                        self.rstd.withUnsafeBufferPointer { rstds in
                            self.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                                self.sumDy.withUnsafeMutableBufferPointer { sumsDy in
                                    self.sumDyNormalized.withUnsafeMutableBufferPointer { sumsDyX in
                                        Parallel.forEachChunk(channels, minimum: 1) { chunk in
                                            for c in chunk {
                                                let (m, r) = (means[c], rstds[c])
                                                // Σ dy and Σ dy·x̂ over the channel's N·H·W values
                                                var sumDy: Float = 0
                                                var sumDyX: Float = 0
                                                for n in 0..<batch {
                                                    let offset = (n * channels + c) * plane
                                                    let g = dy.baseAddress! + offset
                                                    let sumG = RowReductions.sum(g, count: plane)
                                                    sumDy += sumG
                                                    // Σ dy·(x − m) = Σ dy·x − m·Σ dy
                                                    sumDyX +=
                                                        RowReductions.dot(g, x.baseAddress! + offset, count: plane)
                                                        - m * sumG
                                                }
                                                sumDyX *= r
                                                sumsDy[c] = sumDy
                                                sumsDyX[c] = sumDyX
                                                guard needsInputGradient else { continue }
                                                let a = gamma[c] * r
                                                // Batch statistics: dx = a·(dy − mean(dy) − x̂·mean(dy·x̂));
                                                // fixed statistics: dx = a·dy.
                                                let meanDy = useBatch ? sumDy / count : 0
                                                let meanDyX = useBatch ? sumDyX / count : 0
                                                for n in 0..<batch {
                                                    let base = (n * channels + c) * plane
                                                    for i in base..<(base + plane) {
                                                        let normalized = (x[i] - m) * r
                                                        dx[i] = a * (dy[i] - meanDy - normalized * meanDyX)
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
