import FedData
import FedLearning
import FedTensor
import Foundation

/// `fedtune bench`: measures the learning core on this machine — sgemm GFLOP/s through
/// our wrapper, and MLP training throughput — and prints which OpenBLAS kernel ran.
package enum Benchmark {
    package struct Result: Sendable, Codable {
        package var kernel: String
        package var threads: Int
        /// (n, GFLOP/s) for n×n×n products.
        package var sgemm: [SgemmFigure]
        /// Largest error of a 256³ sgemm against a float64 reference, relative to the
        /// largest reference entry: the check that the chosen kernel computes correctly.
        package var sgemmRelativeError: Double
        /// Forward + loss + backward + SGD update on one fixed batch, examples per second.
        package var mlpStepExamplesPerSecond: Double
        /// Whole epochs through `Trainer` (shuffle, batch gathering, AdamW), examples per second.
        package var mlpTrainerExamplesPerSecond: Double
    }

    package struct SgemmFigure: Sendable, Codable {
        package var size: Int
        package var gflops: Double
    }

    package static func run(sizes: [Int], seconds: Double) -> Result {
        Result(
            kernel: BLAS.coreName,
            threads: BLAS.threadCount,
            sgemm: sizes.map { SgemmFigure(size: $0, gflops: self.sgemm(size: $0, seconds: seconds)) },
            sgemmRelativeError: self.sgemmError(size: 256),
            mlpStepExamplesPerSecond: self.mlpStep(seconds: seconds),
            mlpTrainerExamplesPerSecond: self.mlpTrainer()
        )
    }

    /// GFLOP/s of C = A·B for n×n matrices, repeated for about `seconds`.
    package static func sgemm(size n: Int, seconds: Double) -> Double {
        var generator = SeededGenerator(seed: 1)
        let a = Tensor.uniform(shape: [n, n], bound: 1, using: &generator)
        let b = Tensor.uniform(shape: [n, n], bound: 1, using: &generator)
        var c = Tensor(shape: [n, n])
        Tensor.matmul(a, b, into: &c)
        let (iterations, elapsed) = repeatFor(seconds) { Tensor.matmul(a, b, into: &c) }
        return 2 * Double(n) * Double(n) * Double(n) * Double(iterations) / elapsed / 1e9
    }

    /// Largest |C − C₆₄| / max|C₆₄| for C = A·Bᵀ computed by OpenBLAS and in float64.
    package static func sgemmError(size n: Int) -> Double {
        var generator = SeededGenerator(seed: 4)
        let a = Tensor.uniform(shape: [n, n], bound: 1, using: &generator)
        let b = Tensor.uniform(shape: [n, n], bound: 1, using: &generator)
        let c = Tensor.matmul(a, b, transposeB: true)
        var worst = 0.0
        var largest = 0.0
        for i in 0..<n {
            for j in 0..<n {
                var exact = 0.0
                for k in 0..<n { exact += Double(a.scalars[i * n + k]) * Double(b.scalars[j * n + k]) }
                worst = Swift.max(worst, abs(Double(c.scalars[i * n + j]) - exact))
                largest = Swift.max(largest, abs(exact))
            }
        }
        return worst / largest
    }

    /// The 64-256-256-10 ReLU MLP at batch 64: one SGD step per iteration on a fixed batch,
    /// the same work as `benchmarks/numpy_mlp.py`.
    package static func mlpStep(seconds: Double) -> Double {
        let step = self.makeMLPStep()
        step()
        let (iterations, elapsed) = repeatFor(seconds, step)
        return Double(iterations * 64) / elapsed
    }

    /// Runs `count` MLP training steps (rounded to whole epochs of 50) through `Trainer` (AdamW, shuffled batches
    /// of 64) and nothing else, so an allocation counter run on two counts gives the
    /// allocations per step (`benchmarks/allocations.sh`).
    package static func mlpSteps(count: Int) throws {
        let model = Classifier(architecture: ModelArchitecture(inputs: 64, hidden: [256, 256], classes: 10), seed: 1)
        // The data is the same size whatever the count (50 batches, and count/50 epochs)
        // so that only the steps differ between two runs.
        let data = SyntheticDomain(features: 64, classes: 10).sample(count: 64 * 50, seed: 3)
        var configuration = TrainingConfiguration()
        configuration.epochs = Swift.max(1, count / 50)
        configuration.batchSize = 64
        _ = try Trainer(configuration: configuration).fit(model, train: data)
    }

    private static func makeMLPStep() -> () -> Void {
        let model = Classifier(architecture: ModelArchitecture(inputs: 64, hidden: [256, 256], classes: 10), seed: 1)
        let data = SyntheticDomain(features: 64, classes: 10).sample(count: 64, seed: 2)
        let loss = SoftmaxCrossEntropy(classes: 10)
        var optimizer = SGD(momentum: 0.9)
        return {
            let logits = model.forward(data.features, training: true)
            _ = loss.forward(logits, targets: data.labels)
            model.parameters.zeroGradients()
            loss.backward(targets: data.labels)
            model.backward(data.features, logitsGradient: loss.logitsGradient)
            optimizer.step(&model.parameters, learningRate: 0.01)
        }
    }

    /// The same MLP trained by `Trainer` over 16,384 synthetic examples: the fastest of
    /// 4 epochs, in examples per second.
    package static func mlpTrainer() -> Double {
        let model = Classifier(architecture: ModelArchitecture(inputs: 64, hidden: [256, 256], classes: 10), seed: 1)
        let data = SyntheticDomain(features: 64, classes: 10).sample(count: 16_384, seed: 3)
        var configuration = TrainingConfiguration()
        configuration.epochs = 4
        configuration.batchSize = 64
        let history = (try? Trainer(configuration: configuration).fit(model, train: data)) ?? TrainingHistory()
        let fastest = history.epochs.map(\.seconds).min() ?? .infinity
        return Double(data.count) / fastest
    }

    /// Runs `body` in three rounds of a third of `seconds` each and returns the fastest
    /// round's (iterations, seconds): on a shared 2-core machine the best round is the
    /// repeatable figure, the mean mostly measures neighbours.
    private static func repeatFor(_ seconds: Double, _ body: () -> Void) -> (Int, Double) {
        var best: (Int, Double) = (0, .infinity)
        for _ in 0..<3 {
            let started = Date()
            var iterations = 0
            var elapsed = 0.0
            repeat {
                body()
                iterations += 1
                elapsed = Date().timeIntervalSince(started)
            } while elapsed < seconds / 3
            if Double(iterations) / elapsed > Double(best.0) / best.1 { best = (iterations, elapsed) }
        }
        return best
    }
}
