import FedLearning
import FedRounds
import FedSupport
import FedTensor
import Foundation
import OrderedCollections

/// `fedtune bench aggregation`: times clipped FedAvg (`FedAvgAccumulator`) over many
/// sites' updates and reports the process's peak resident memory, to show that the
/// running sum costs a fixed number of model-sized buffers however many sites report.
package enum AggregationBenchmark {
    package struct Configuration: Sendable, Codable, Equatable {
        package var sites: Int
        /// Scalars in one model's update.
        package var parameters: Int
        /// L2 bound on each update; half the generated updates are above it.
        package var clipNorm: Float
        package var seed: UInt64

        package init(sites: Int, parameters: Int, clipNorm: Float = 1, seed: UInt64 = 1) {
            self.sites = sites
            self.parameters = parameters
            self.clipNorm = clipNorm
            self.seed = seed
        }

        /// The two shapes of issue 3: a few sites with a MiniLM-sized model, many with a small one.
        package static let defaults = [
            Configuration(sites: 10, parameters: 22_000_000), Configuration(sites: 100, parameters: 1_000_000),
        ]
    }

    package struct Result: Sendable, Codable {
        package var configuration: Configuration
        package var tensors: Int
        package var modelBytes: Int
        /// Every `add` (validate, norm, clip, fold) plus `average()`, fastest of three rounds.
        package var aggregationSeconds: Double
        /// The same for each of the three rounds, in order.
        package var roundSeconds: [Double]
        /// Filling the update buffer with fresh values before each `add`, in the fastest
        /// round; not part of `aggregationSeconds`.
        package var generationSeconds: Double
        /// Making the accumulator (one zeroed model), in the fastest round; not part of
        /// `aggregationSeconds`.
        package var setupSeconds: Double
        /// Updates whose norm was above the clip norm and were scaled down.
        package var clippedUpdates: Int
        /// ‖average‖: fixed by the seed, a check that two runs did the same work.
        package var averageNorm: Float
        /// VmRSS before the first round (after returning freed memory to the kernel).
        package var baselineResidentBytes: Int?
        /// VmHWM after the last round.
        package var peakResidentBytes: Int?
        /// (peak − baseline) in units of one model's update size: what the aggregation
        /// held at its worst, which should not grow with the number of sites.
        package var peakIncreaseInModels: Double?
        /// False when the kernel refused to reset VmHWM, so the peak may predate this run.
        package var peakWasReset: Bool
        package var blasKernel: String
        package var blasThreads: Int
    }

    /// One round's figures.
    private struct Round {
        var aggregation: Duration
        var generation: Duration
        var setup: Duration
        var clipped: Int
        var averageNorm: Float
    }

    /// The largest tensor of the benchmark model: a MiniLM feed-forward weight [1536, 384].
    static let matrixShape = [1536, 384]

    /// The benchmark model: `parameters` scalars as [1536, 384] matrices and one remainder
    /// vector, so a 22M model has 38 tensors, like a real checkpoint, and per-tensor costs count.
    package static func spec(parameters: Int) -> TensorSpec {
        let matrixSize = self.matrixShape.reduce(1, *)
        var entries = (0..<(parameters / matrixSize)).map { (name: "layer.\($0).weight", shape: self.matrixShape) }
        if parameters % matrixSize > 0 { entries.append((name: "remainder", shape: [parameters % matrixSize])) }
        return TensorSpec(entries)
    }

    /// Runs three rounds of `configuration.sites` updates and reports the fastest and the memory peak.
    package static func run(_ configuration: Configuration) throws(UpdateRejection) -> Result {
        precondition(configuration.sites > 0 && configuration.parameters > 0, "sites and parameters must be positive")
        let spec = self.spec(parameters: configuration.parameters)
        ProcessMemory.releaseFreedMemory()
        let peakWasReset = ProcessMemory.resetPeak()
        let baseline = ProcessMemory.current()
        var rounds: [Round] = []
        for _ in 0..<3 { rounds.append(try self.round(spec: spec, configuration: configuration)) }
        let after = ProcessMemory.current()
        let best = rounds.min { $0.aggregation < $1.aggregation }!
        let modelBytes = spec.scalarCount * MemoryLayout<Float>.size
        var increase: Double?
        if let baseline, let after { increase = Double(after.peakResident - baseline.resident) / Double(modelBytes) }
        return Result(
            configuration: configuration,
            tensors: spec.entries.count,
            modelBytes: modelBytes,
            aggregationSeconds: best.aggregation.seconds,
            roundSeconds: rounds.map(\.aggregation.seconds),
            generationSeconds: best.generation.seconds,
            setupSeconds: best.setup.seconds,
            clippedUpdates: best.clipped,
            averageNorm: best.averageNorm,
            baselineResidentBytes: baseline?.resident,
            peakResidentBytes: after?.peakResident,
            peakIncreaseInModels: increase,
            peakWasReset: peakWasReset,
            blasKernel: BLAS.coreName,
            blasThreads: BLAS.threadCount
        )
    }

    /// One aggregation: each site's update is generated into the one reusable buffer just
    /// before it is folded, so at most one update exists at a time, as on a coordinator
    /// that folds replies as they arrive.
    private static func round(spec: TensorSpec, configuration: Configuration) throws(UpdateRejection) -> Round {
        let clock = ContinuousClock()
        var generator = SeededGenerator(seed: configuration.seed)
        var update = OrderedDictionary(uniqueKeysWithValues: spec.entries.map { ($0.name, Tensor(shape: $0.shape)) })
        var started = clock.now
        var accumulator = FedAvgAccumulator(spec: spec, clipNorm: configuration.clipNorm)
        let setup = clock.now - started
        var generation = Duration.zero
        var aggregation = Duration.zero
        var clipped = 0
        for site in 0..<configuration.sites {
            started = clock.now
            // Even sites send twice the clip norm, odd ones half of it: both paths run.
            let norm = configuration.clipNorm * (site.isMultiple(of: 2) ? 2 : 0.5)
            self.refill(&update, norm: norm, using: &generator)
            let examples = 1 + generator.nextIndex(below: 1000)
            generation += clock.now - started

            started = clock.now
            let folded = try accumulator.add(update, examples: examples)
            aggregation += clock.now - started
            if folded.scale < 1 { clipped += 1 }
        }
        // A coordinator frees each update once it is folded; holding the last one while the
        // average is built would count a buffer the round no longer needs.
        update = [:]
        started = clock.now
        let average = accumulator.average()
        aggregation += clock.now - started

        let averageNorm = Float((average?.values.reduce(0) { $0 + $1.squaredNorm() } ?? 0).squareRoot())
        return Round(
            aggregation: aggregation,
            generation: generation,
            setup: setup,
            clipped: clipped,
            averageNorm: averageNorm
        )
    }

    /// Overwrites every tensor of `update` in place with values uniform in [-b, b), b chosen
    /// so the whole update's L2 norm is close to `norm` (E‖u‖² = count · b²/3).
    private static func refill(
        _ update: inout OrderedDictionary<String, Tensor>,
        norm: Float,
        using generator: inout SeededGenerator
    ) {
        let count = update.values.reduce(0) { $0 + $1.count }
        let bound = norm / (Float(count) / 3).squareRoot()
        for index in update.values.indices {
            update.values[index].scalars.withUnsafeMutableBufferPointer { p in
                for i in 0..<p.count { p[i] = (generator.nextUniform() * 2 - 1) * bound }
            }
        }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(self.components.seconds) + Double(self.components.attoseconds) * 1e-18
    }
}
