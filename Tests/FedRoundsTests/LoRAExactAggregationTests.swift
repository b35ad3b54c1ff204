import FedTensor
import Testing

@testable import FedRounds

/// FedEx-LoRA's residual makes the aggregated model equal the average of the sites' merged
/// weights, where averaging A and B separately does not.
struct LoRAExactAggregationTests {
    static func random(_ shape: [Int], _ generator: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &generator) })
    }

    @Test func theResidualMakesTheAggregateEqualTheAverageOfMergedWeights() {
        var generator = SeededGenerator(seed: 5)
        let (out, rank, input, scale): (Int, Int, Int, Float) = (6, 2, 5, 2)
        let frozen = Self.random([out, input], &generator)
        let sites = (0..<3).map { index in
            (a: Self.random([rank, input], &generator), b: Self.random([out, rank], &generator), weight: Double(index + 1))
        }
        let total = sites.reduce(0) { $0 + $1.weight }
        // What the sites' merged models average to: W + s·Σ wᵢ·Bᵢ·Aᵢ / Σ wᵢ.
        var expected = frozen
        var product = Tensor(shape: [out, input])
        for site in sites {
            Tensor.matmul(site.b, site.a, into: &product)
            for i in 0..<expected.count { expected.scalars[i] += scale * Float(site.weight / total) * product.scalars[i] }
        }
        // A and B averaged separately, as FedAvg does.
        var meanA = Tensor(shape: [rank, input])
        var meanB = Tensor(shape: [out, rank])
        for site in sites {
            meanA.axpy(Float(site.weight / total), site.a)
            meanB.axpy(Float(site.weight / total), site.b)
        }
        var separate = frozen
        Tensor.matmul(meanB, meanA, into: &product)
        for i in 0..<separate.count { separate.scalars[i] += scale * product.scalars[i] }
        let plainError = zip(separate.scalars, expected.scalars).map { abs($0 - $1) }.max()!
        #expect(plainError > 0.05, "averaging A and B separately is not exact: \(plainError)")

        let residual = LoRAExactAggregation.residual(sites: sites, scale: scale)
        var exact = separate
        for i in 0..<exact.count { exact.scalars[i] += residual.scalars[i] }
        let exactError = zip(exact.scalars, expected.scalars).map { abs($0 - $1) }.max()!
        #expect(exactError < 1e-5, "W + R + s·B̄·Ā equals the average of merged weights: \(exactError)")
    }

    @Test func oneSiteNeedsNoResidualAndPairsAreFoundByPEFTNames() {
        var generator = SeededGenerator(seed: 9)
        let a = Self.random([2, 4], &generator)
        let b = Self.random([3, 2], &generator)
        let residual = LoRAExactAggregation.residual(sites: [(a, b, 1)], scale: 1)
        #expect(residual.scalars.allSatisfy { abs($0) < 1e-6 })
        let names = [
            "encoder.layer.0.attention.self.query.lora_A.weight", "encoder.layer.0.attention.self.query.lora_B.weight",
            "encoder.layer.0.attention.self.value.lora_A.weight", "head.weight",
        ]
        #expect(LoRAExactAggregation.pairs(in: names) == [
            .init(
                prefix: "encoder.layer.0.attention.self.query", a: "encoder.layer.0.attention.self.query.lora_A.weight",
                b: "encoder.layer.0.attention.self.query.lora_B.weight")
        ])
    }
}
