import FedTensor
import OrderedCollections

/// Exact aggregation of LoRA adapters (FedEx-LoRA: Singhal, Ponkshe, Vepakomma 2024, "FedEx-LoRA:
/// Exact Aggregation for Federated and Efficient Fine-Tuning of Foundation Models").
///
/// Averaging A and B separately gives the merged update s·B̄·Ā, which is not the average of
/// the sites' merged updates s·Σ wᵢ·Bᵢ·Aᵢ / Σ wᵢ. FedEx-LoRA keeps the averaged A and B as they
/// are and adds the difference, the residual R = s·(Σ wᵢ·Bᵢ·Aᵢ / Σ wᵢ − B̄·Ā), to the frozen
/// weight: W + R + s·B̄·Ā then equals the average of the sites' merged weights exactly. The
/// residual is a dense [out, in] matrix per adapted projection, so it is what travels besides
/// the adapters in this mode.
///
/// This is the arithmetic, pure; sums are taken in double precision and in site-name order.
/// Not yet wired into text models and the core (next step: a travelling, non-optimized
/// `lora_residual` per adapted projection).
package struct LoRAExactAggregation: Sendable {
    /// One adapted projection: the names of its A [r, in] and B [out, r] tensors.
    package struct Pair: Sendable, Equatable {
        package var prefix: String
        package var a: String
        package var b: String
    }

    /// The adapter pairs among `names`, PEFT's naming (`<prefix>.lora_A.weight`, `….lora_B.weight`).
    package static func pairs(in names: [String]) -> [Pair] {
        let suffixA = ".lora_A.weight"
        return names.filter { $0.hasSuffix(suffixA) }.compactMap { a in
            let prefix = String(a.dropLast(suffixA.count))
            let b = prefix + ".lora_B.weight"
            return names.contains(b) ? Pair(prefix: prefix, a: a, b: b) : nil
        }
    }

    /// The residual s·(Σ wᵢ·Bᵢ·Aᵢ / Σ wᵢ − B̄·Ā) for one pair, from each site's A and B (the
    /// global ones plus its update) and weight.
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
