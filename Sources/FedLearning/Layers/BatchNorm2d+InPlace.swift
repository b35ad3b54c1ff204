import FedTensor

/// Evaluation-mode batch norm applied by its convolution, image by image, in place: right after
/// a 1×1 convolution's sgemm for one image its output planes are still in cache, so normalising
/// them there (with the ReLU6 and residual add) saves streaming the whole batch's activations
/// from memory once more and writing a second copy of them.
extension BatchNorm2d {
    /// Prepares an in-place evaluation forward over a batch of `shape` [N, C, H, W]: this
    /// forward's statistics are the running ones, so backward and `updateRunningStatistics` act
    /// as after an evaluation `forward`. Keeps each channel's (a, b), y = x·a + b, for
    /// `normalizeInPlace`.
    func beginInPlaceEvaluation(shape: [Int], parameters: ParameterStore) {
        precondition(shape.count == 4 && shape[1] == self.channels, "batch norm expects [N, \(self.channels), H, W]")
        if self.mean.count != self.channels {
            self.mean = [Float](repeating: 0, count: self.channels)
            self.rstd = [Float](repeating: 0, count: self.channels)
            self.batchVariance = [Float](repeating: 0, count: self.channels)
            self.sumDy = [Float](repeating: 0, count: self.channels)
            self.sumDyNormalized = [Float](repeating: 0, count: self.channels)
        }
        let gamma = parameters[self.weight].value.scalars
        let beta = parameters[self.bias].value.scalars
        let runningMean = parameters[self.runningMean].value.scalars
        let runningVariance = parameters[self.runningVariance].value.scalars
        if self.coefficients.count != self.channels {
            self.coefficients = [(Float, Float)](repeating: (0, 0), count: self.channels)
        }
        for c in 0..<self.channels {
            let r = 1 / (runningVariance[c] + self.epsilon).squareRoot()
            self.mean[c] = runningMean[c]
            self.rstd[c] = r
            let a = gamma[c] * r
            self.coefficients[c] = (a, beta[c] - runningMean[c] * a)
        }
        self.lastUsedBatchStatistics = false
        self.pendingCount = 0
    }

    /// Normalises `images` consecutive images' planes [images, C, plane] in place with the
    /// coefficients of `beginInPlaceEvaluation`, adding `residual` (the same images' values)
    /// when given.
    func normalizeInPlace(_ y: UnsafeMutablePointer<Float>, images: Int, plane: Int, residual: UnsafePointer<Float>?) {
        let ceiling = self.ceiling
        precondition(residual == nil || ceiling == nil, "batch norm residual")
        self.coefficients.withUnsafeBufferPointer { coefficients in
            self.normalize(y, images: images, plane: plane, coefficients: coefficients, ceiling: ceiling, residual: residual)
        }
    }

    private func normalize(
        _ y: UnsafeMutablePointer<Float>,
        images: Int,
        plane: Int,
        coefficients: UnsafeBufferPointer<(Float, Float)>,
        ceiling: Float?,
        residual: UnsafePointer<Float>?
    ) {
        let channels = self.channels
        // Split across cores only when each share is worth a dispatch (~64K values).
        let minimum = Swift.max(1, (1 << 16) / Swift.max(images * plane, 1))
        Parallel.forEachChunk(channels, minimum: minimum) { chunk in
            for c in chunk {
                let (a, b) = coefficients[c]
                for n in 0..<images {
                    let offset = (n * channels + c) * plane
                    BatchNormKernels.affine(
                        y + offset,
                        into: y + offset,
                        count: plane,
                        a: a,
                        b: b,
                        ceiling: ceiling,
                        residual: residual.map { $0 + offset }
                    )
                }
            }
        }
    }
}
