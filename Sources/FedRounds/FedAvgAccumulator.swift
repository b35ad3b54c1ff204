import FedTensor
import OrderedCollections

/// FedAvg as a running sum: each accepted update is clipped and folded in as it
/// arrives, weighted by its example count, so the coordinator holds one model-sized
/// buffer however many sites report. The sum is exact (`ExactSum`), so the order the
/// updates arrive in never changes a bit of the result.
///
///     s += n_k · min(1, C / ‖Δ_k‖) · Δ_k;   average = s / Σ n_k
///
/// Unlike Flower's `aggregate`, which takes the list of all results, nothing of an
/// update is kept after `add` returns.
package struct FedAvgAccumulator: Sendable {
    package let spec: TensorSpec
    /// L2 bound on each update over all its tensors; nil leaves updates unclipped.
    package let clipNorm: Float?
    /// Every update weighs 1 rather than its example count (DP-FedAvg: a site's weight
    /// must not depend on its data).
    package let uniformWeights: Bool
    /// One exact, order-independent sum per tensor (see `ExactSum`).
    private var sums: [ExactSum]
    package private(set) var totalExamples: Int = 0
    package private(set) var contributions: Int = 0
    /// Updates whose norm was at most the clip norm (adaptive clipping counts them).
    package private(set) var unclipped: Int = 0

    package init(spec: TensorSpec, clipNorm: Float?, uniformWeights: Bool = false) {
        precondition(clipNorm.map { $0 > 0 } ?? true, "clip norm must be positive")
        self.spec = spec
        self.clipNorm = clipNorm
        self.uniformWeights = uniformWeights
        self.sums = spec.entries.map { ExactSum(count: $0.shape.reduce(1, *)) }
    }

    /// What happened to one update.
    package struct Folded: Sendable, Equatable {
        /// ‖Δ‖ before clipping.
        package var norm: Float
        /// The factor applied: C/‖Δ‖ when clipped, otherwise 1.
        package var scale: Float
    }

    /// Validates `update` (tensors named as in `spec`), clips it and adds it to the sum.
    /// A rejected update leaves the sum exactly as it was.
    package mutating func add(
        _ update: OrderedDictionary<String, Tensor>,
        examples: Int
    ) throws(UpdateRejection) -> Folded {
        let norm = Float(try UpdateValidator.squaredNorm(of: update, spec: self.spec, examples: examples).squareRoot())
        // `norm > c` is the only way to clip: it never divides by a zero norm.
        let scale: Float = self.clipNorm.map { norm > $0 ? $0 / norm : 1 } ?? 1
        let weight = self.uniformWeights ? scale : Float(examples) * scale
        for (index, entry) in self.spec.entries.enumerated() {
            self.sums[index].add(weight, update[entry.name]!.scalars)
        }
        self.totalExamples += examples
        self.contributions += 1
        if scale == 1 { self.unclipped += 1 }
        return Folded(norm: norm, scale: scale)
    }

    /// The example-weighted mean of the clipped updates, or nil when none was added.
    package func average() -> OrderedDictionary<String, Tensor>? {
        guard self.totalExamples > 0 else { return nil }
        var out: OrderedDictionary<String, Tensor> = [:]
        for (index, entry) in self.spec.entries.enumerated() {
            out[entry.name] = Tensor(shape: entry.shape, scalars: self.sums[index].quotient(Double(self.totalExamples)))
        }
        return out
    }

    /// DP-FedAvg's release: (sum + noise) / divisor, tensor by tensor; `noise(name, count)`
    /// gives a tensor's noise. Released even when no update came in (the noise alone).
    package func noisyAverage(
        divisor: Double,
        noise: (String, Int) -> [Float]
    ) -> OrderedDictionary<String, Tensor> {
        var out: OrderedDictionary<String, Tensor> = [:]
        for (index, entry) in self.spec.entries.enumerated() {
            var sum = self.sums[index]
            sum.add(1, noise(entry.name, sum.hi.count))
            out[entry.name] = Tensor(shape: entry.shape, scalars: sum.quotient(divisor))
        }
        return out
    }

    /// Bytes held: the running sum only, 16 bytes per trainable weight (a double-double).
    package var bytesHeld: Int { self.sums.reduce(0) { $0 + $1.hi.count * 2 * MemoryLayout<Double>.size } }

    /// global += serverLearningRate · average, for every tensor of the average.
    package static func apply(
        _ average: OrderedDictionary<String, Tensor>,
        to global: inout OrderedDictionary<String, Tensor>,
        serverLearningRate: Float
    ) {
        for (name, delta) in average {
            global[name]?.axpy(serverLearningRate, delta)
        }
    }
}
