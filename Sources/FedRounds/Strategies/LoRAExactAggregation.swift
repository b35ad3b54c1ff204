import FedTensor
import OrderedCollections

/// Exact aggregation of LoRA adapters (FedEx-LoRA: Singhal, Ponkshe, Vepakomma 2024, "FedEx-LoRA:
/// Exact Aggregation for Federated and Efficient Fine-Tuning of Foundation Models").
///
/// Averaging A and B separately gives the merged update s·B̄·Ā, which is not the average of
/// the sites' merged updates s·Σ wᵢ·Bᵢ·Aᵢ / Σ wᵢ. FedEx-LoRA keeps the averaged A and B as they
/// are and adds the difference, s·(Σ wᵢ·Bᵢ·Aᵢ / Σ wᵢ − B̄·Ā), to a frozen residual R beside the
/// pretrained weight: W + R + s·B̄·Ā then equals the average of the sites' merged weights
/// exactly. R is a dense [out, in] matrix per adapted projection (`….lora_residual`); it goes
/// to the sites with the adapters, and no site sends it back.
///
/// As a running sum: each site's Bᵢ·Aᵢ (the global adapters plus its clipped update) is added
/// to an exact, order-independent sum as the update arrives, so the coordinator holds one
/// [out, in] sum per projection however many sites report. Pure: no I/O.
package struct LoRAExactAggregation: Sendable {
    /// One adapted projection: the names of its A [r, in], B [out, r] and residual [out, in].
    package struct Pair: Sendable, Equatable {
        package var prefix: String
        package var a: String
        package var b: String
        package var residual: String { self.prefix + LoRAExactAggregation.residualSuffix }
    }

    /// The name ending of a projection's residual.
    package static let residualSuffix = ".lora_residual"

    /// Whether `name` is a residual: set by the coordinator, never part of a site's update.
    package static func isResidual(_ name: String) -> Bool { name.hasSuffix(Self.residualSuffix) }

    /// The adapter pairs among `names`, PEFT's naming (`<prefix>.lora_A.weight`, `….lora_B.weight`).
    package static func pairs(in names: [String]) -> [Pair] {
        let suffixA = ".lora_A.weight"
        return names.filter { $0.hasSuffix(suffixA) }.compactMap { a in
            let prefix = String(a.dropLast(suffixA.count))
            let b = prefix + ".lora_B.weight"
            return names.contains(b) ? Pair(prefix: prefix, a: a, b: b) : nil
        }
    }

    /// The pairs with a residual, s = α/r.
    package let pairs: [Pair]
    package let scale: Float
    private var products: [ExactSum]
    private var totalWeight = 0.0

    /// A round's sum for the pairs of `global` that carry a residual.
    package init(global: OrderedDictionary<String, Tensor>, scale: Float) {
        self.pairs = Self.pairs(in: Array(global.keys)).filter { global[$0.residual] != nil }
        self.scale = scale
        self.products = self.pairs.map { ExactSum(count: global[$0.residual]!.count) }
    }

    /// Adds weight·Bᵢ·Aᵢ with Aᵢ = A + c·ΔA, Bᵢ = B + c·ΔB (c the update's clip factor); the
    /// update was validated against the spec before it comes here.
    package mutating func add(
        global: OrderedDictionary<String, Tensor>,
        update: OrderedDictionary<String, Tensor>,
        clip: Float,
        weight: Float
    ) {
        for (index, pair) in self.pairs.enumerated() {
            var a = global[pair.a]!
            var b = global[pair.b]!
            if let delta = update[pair.a] { a.axpy(clip, delta) }
            if let delta = update[pair.b] { b.axpy(clip, delta) }
            var product = Tensor(shape: [b.rows, a.columns])
            Tensor.matmul(b, a, into: &product)
            self.products[index].add(weight, product.scalars)
        }
        self.totalWeight += Double(weight)
    }

    /// Adds s·(Σ wᵢ·Bᵢ·Aᵢ / Σ wᵢ − B·A) to each residual of `global`, whose A and B are the
    /// round's averages (FedAvg applied at server learning rate 1). Nothing when no site reported.
    package func fold(into global: inout OrderedDictionary<String, Tensor>) {
        guard self.totalWeight > 0 else { return }
        for (index, pair) in self.pairs.enumerated() {
            let mean = self.products[index].quotient(self.totalWeight)
            var averaged = global[pair.residual]!
            Tensor.matmul(global[pair.b]!, global[pair.a]!, into: &averaged)
            var residual = global[pair.residual]!
            for i in 0..<residual.count {
                residual.scalars[i] += self.scale * (mean[i] - averaged.scalars[i])
            }
            global[pair.residual] = residual
        }
    }

    /// Bytes held: one exact sum per residual, 16 bytes per weight.
    package var bytesHeld: Int { self.products.reduce(0) { $0 + $1.hi.count * 16 } }

    /// The residual s·(Σ wᵢ·Bᵢ·Aᵢ / Σ wᵢ − B̄·Ā) for one pair in one go, from each site's A and B
    /// and weight: the formula `add` and `fold` compute as a running sum.
    package static func residual(
        sites: [(a: Tensor, b: Tensor, weight: Double)],
        scale: Float
    ) -> Tensor {
        precondition(!sites.isEmpty, "a residual needs at least one site")
        let total = sites.reduce(0) { $0 + $1.weight }
        let (rows, rank) = (sites[0].b.rows, sites[0].b.columns)
        let columns = sites[0].a.columns
        var meanProduct = [Double](repeating: 0, count: rows * columns)
        var meanA = [Double](repeating: 0, count: rank * columns)
        var meanB = [Double](repeating: 0, count: rows * rank)
        var product = Tensor(shape: [rows, columns])
        for site in sites {
            let share = site.weight / total
            Tensor.matmul(site.b, site.a, into: &product)
            for i in 0..<product.count { meanProduct[i] += share * Double(product.scalars[i]) }
            for i in 0..<meanA.count { meanA[i] += share * Double(site.a.scalars[i]) }
            for i in 0..<meanB.count { meanB[i] += share * Double(site.b.scalars[i]) }
        }
        var out = [Float](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for column in 0..<columns {
                var averaged = 0.0
                for k in 0..<rank { averaged += meanB[row * rank + k] * meanA[k * columns + column] }
                out[row * columns + column] = Float(Double(scale) * (meanProduct[row * columns + column] - averaged))
            }
        }
        return Tensor(shape: [rows, columns], scalars: out)
    }
}
