import FedData
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
            kernel: BLAS.coreName, threads: BLAS.threadCount,
            sgemm: sizes.map { SgemmFigure(size: $0, gflops: self.sgemm(size: $0, seconds: seconds)) },
            mlpStepExamplesPerSecond: self.mlpStep(seconds: seconds),
            mlpTrainerExamplesPerSecond: self.mlpTrainer())
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

    /// The 64-256-256-10 ReLU MLP at batch 64: one SGD step per iteration on a fixed batch,
    /// the same work as `benchmarks/numpy_mlp.py`.
    package static func mlpStep(seconds: Double) -> Double {
        let model = Classifier(architecture: ModelArchitecture(inputs: 64, hidden: [256, 256], classes: 10), seed: 1)
        let data = SyntheticDomain(features: 64, classes: 10).sample(count: 64, seed: 2)
        let loss = SoftmaxCrossEntropy(classes: 10)
        var optimizer = SGD(momentum: 0.9)
        let step = {
            let logits = model.forward(data.features, training: true)
            _ = loss.forward(logits, targets: data.labels)
            model.parameters.zeroGradients()
            loss.backward(targets: data.labels)
            model.backward(data.features, logitsGradient: loss.logitsGradient)
            optimizer.step(&model.parameters, learningRate: 0.01)
        }
        step()
        let (iterations, elapsed) = repeatFor(seconds, step)
        return Double(iterations * 64) / elapsed
    }

    /// The same MLP trained by `Trainer` for 3 epochs over 16,384 synthetic examples.
    package static func mlpTrainer() -> Double {
        let model = Classifier(architecture: ModelArchitecture(inputs: 64, hidden: [256, 256], classes: 10), seed: 1)
        let data = SyntheticDomain(features: 64, classes: 10).sample(count: 16_384, seed: 3)
        var configuration = TrainingConfiguration()
        configuration.epochs = 3
        configuration.batchSize = 64
        let started = Date()
        _ = try? Trainer(configuration: configuration).fit(model, train: data)
        return Double(3 * data.count) / Date().timeIntervalSince(started)
    }

    private static func repeatFor(_ seconds: Double, _ body: () -> Void) -> (Int, Double) {
        let started = Date()
        var iterations = 0
        var elapsed = 0.0
        repeat {
            body()
            iterations += 1
            elapsed = Date().timeIntervalSince(started)
        } while elapsed < seconds
        return (iterations, elapsed)
    }
}
