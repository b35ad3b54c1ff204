import FedTensor

/// Per-feature standardisation, x' = (x − mean) / std, whose statistics are fitted on
/// training data and saved with the model so every later use scales inputs the same way.
package struct Standardizer: Sendable, Codable, Equatable {
    package var mean: [Float]
    package var std: [Float]

    package init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count, "standardizer needs one mean and one std per feature")
        self.mean = mean
        self.std = std
    }

    /// Statistics of the columns of `features` [N, F]; a constant column gets std 1 so
    /// it maps to zero instead of dividing by zero.
    package init(fitting features: Tensor) {
        let f = features.columns
        let n = features.rows
        var sum = [Double](repeating: 0, count: f)
        var sumSquares = [Double](repeating: 0, count: f)
        for row in 0..<n {
            for column in 0..<f {
                let v = Double(features.scalars[row * f + column])
                sum[column] += v
                sumSquares[column] += v * v
            }
        }
        let count = Double(Swift.max(n, 1))
        self.mean = sum.map { Float($0 / count) }
        self.std = (0..<f).map { column in
            let m = sum[column] / count
            let variance = Swift.max(sumSquares[column] / count - m * m, 0)
            let s = variance.squareRoot()
            return s > 1e-12 ? Float(s) : 1
        }
    }

    /// The identity transform for `featureCount` features.
    package static func identity(featureCount: Int) -> Standardizer {
        Standardizer(mean: .init(repeating: 0, count: featureCount), std: .init(repeating: 1, count: featureCount))
    }

    /// Standardises `features` [N, F] in place.
    package func apply(to features: inout Tensor) {
        let f = self.mean.count
        precondition(features.columns == f, "standardizer for \(f) features applied to \(features.shape)")
        let inverse = self.std.map { 1 / $0 }
        features.scalars.withUnsafeMutableBufferPointer { x in
            for row in 0..<(x.count / Swift.max(f, 1)) {
                for column in 0..<f {
                    x[row * f + column] = (x[row * f + column] - self.mean[column]) * inverse[column]
                }
            }
        }
    }
}
