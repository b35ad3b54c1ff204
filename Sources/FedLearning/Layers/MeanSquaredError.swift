import FedTensor

/// Mean squared error over all elements: loss = Σ (y − t)² / count; for regression
/// heads and tests.
package final class MeanSquaredError {
    package private(set) var predictionGradient = Tensor(shape: [0])

    package init() {}

    /// The loss; also writes dloss/dprediction = 2 (y − t) / count.
    package func callAsFunction(_ prediction: Tensor, target: Tensor) -> Float {
        precondition(prediction.count == target.count, "MSE of \(prediction.shape) against \(target.shape)")
        self.predictionGradient.resize(to: prediction.shape)
        let scale = 2 / Float(Swift.max(prediction.count, 1))
        var total: Double = 0
        prediction.scalars.withUnsafeBufferPointer { y in
            target.scalars.withUnsafeBufferPointer { t in
                self.predictionGradient.scalars.withUnsafeMutableBufferPointer { dy in
                    for i in 0..<y.count {
                        let d = y[i] - t[i]
                        total += Double(d * d)
                        dy[i] = scale * d
                    }
                }
            }
        }
        return Float(total / Double(Swift.max(prediction.count, 1)))
    }
}
