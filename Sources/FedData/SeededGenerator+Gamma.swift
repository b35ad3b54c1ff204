import FedTensor
import Foundation

extension SeededGenerator {
    /// A uniform Double in the open interval (0, 1), from 53 bits, so its logarithm is finite.
    package mutating func nextOpenUniform() -> Double {
        (Double(self.next() >> 11) + 0.5) * 0x1p-53
    }

    /// A Gamma(shape, 1) sample, by Marsaglia and Tsang's squeeze method.
    package mutating func nextGamma(shape: Double) -> Double {
        Foundation.exp(self.nextLogGamma(shape: shape))
    }

    /// The logarithm of a Gamma(shape, 1) sample.
    ///
    /// Shapes below 1 use the boost Gamma(shape + 1) · U^(1/shape); it is done in log space
    /// because for shape 0.1 the power U^10 underflows to 0 often enough to empty a
    /// Dirichlet draw.
    package mutating func nextLogGamma(shape: Double) -> Double {
        precondition(shape > 0 && shape.isFinite, "a Gamma shape must be positive and finite, got \(shape)")
        if shape < 1 {
            return self.nextLogGamma(shape: shape + 1) + Foundation.log(self.nextOpenUniform()) / shape
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            let x = Double(self.nextNormal())
            let root = 1 + c * x
            guard root > 0 else { continue }
            let v = root * root * root
            let u = self.nextOpenUniform()
            // The cheap squeeze 1 − 0.0331·x⁴ accepts most draws without taking logarithms.
            if u < 1 - 0.0331 * x * x * x * x || Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) {
                return Foundation.log(d) + Foundation.log(v)
            }
        }
    }

    /// Proportions [count] drawn from the symmetric Dirichlet distribution Dir(alpha, …, alpha):
    /// normalised Gamma(alpha, 1) draws, normalised in log space so they never all vanish.
    package mutating func nextDirichlet(alpha: Double, count: Int) -> [Double] {
        let logs = (0..<count).map { _ in self.nextLogGamma(shape: alpha) }
        guard let largest = logs.max() else { return [] }
        let weights = logs.map { Foundation.exp($0 - largest) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }
}
