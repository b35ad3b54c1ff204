import FedTensor
import Foundation

/// A synthetic classification domain with a known structure, so a pretrained model,
/// a shifted target domain and private site data can be made without any download.
///
/// Each class is a Gaussian cloud around its own centre, pushed through a shared
/// nonlinear warp so that a linear model is not enough. A *shift* moves and rotates the
/// same classes (covariate shift): a model pretrained on the source domain still helps
/// on the target but is no longer accurate there.
package struct SyntheticDomain: Sendable, Codable, Equatable {
    package var features: Int
    package var classes: Int
    /// Standard deviation of each class cloud around its centre.
    package var noise: Float
    /// Seed of the class centres and the warp: the "world" both domains share.
    package var worldSeed: UInt64
    /// Size of the covariate shift (0 is the source domain).
    package var shift: Float

    package init(features: Int, classes: Int, noise: Float = 1.0, worldSeed: UInt64 = 7, shift: Float = 0) {
        self.features = features
        self.classes = classes
        self.noise = noise
        self.worldSeed = worldSeed
        self.shift = shift
    }

    /// `count` examples with balanced classes, drawn with `seed`.
    package func sample(count: Int, seed: UInt64) -> Dataset {
        var world = SeededGenerator(seed: self.worldSeed)
        let centres = Tensor.normal(shape: [self.classes, self.features], std: 2.0, using: &world)
        let mixing = Tensor.normal(
            shape: [self.features, self.features],
            std: 1 / Float(self.features).squareRoot(),
            using: &world
        )
        let offset = Tensor.normal(shape: [self.features], std: 1.0, using: &world)
        let rotation = Tensor.normal(
            shape: [self.features, self.features],
            std: 1 / Float(self.features).squareRoot(),
            using: &world
        )

        var generator = SeededGenerator(seed: seed)
        var features = Tensor(shape: [count, self.features])
        var labels: [Int] = []
        labels.reserveCapacity(count)
        let f = self.features
        for row in 0..<count {
            let label = row % self.classes
            labels.append(label)
            var point = (0..<f).map { centres.scalars[label * f + $0] + generator.nextNormal() * self.noise }
            // Shared warp: x + 0.5·sin(M·x) couples the features nonlinearly.
            let mixed = (0..<f).map { i in (0..<f).reduce(Float(0)) { $0 + mixing.scalars[i * f + $1] * point[$1] } }
            for i in 0..<f { point[i] += 0.5 * sin(mixed[i]) }
            if self.shift != 0 {
                // Covariate shift: a partial rotation plus a translation of every point.
                let rotated = (0..<f).map { i in
                    (0..<f).reduce(Float(0)) { $0 + rotation.scalars[i * f + $1] * point[$1] }
                }
                for i in 0..<f { point[i] += self.shift * (0.5 * rotated[i] + offset.scalars[i]) }
            }
            for i in 0..<f { features.scalars[row * f + i] = point[i] }
        }
        var order = Array(0..<count)
        generator.shuffle(&order)
        let dataset = Dataset(
            features: features,
            labels: labels,
            featureNames: (0..<f).map { "x\($0)" },
            classNames: (0..<self.classes).map { "c\($0)" }
        )
        return dataset.subset(order)
    }
}
