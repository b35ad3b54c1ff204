import OrderedCollections
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

/// Exact LoRA aggregation through the federation core: after a round, W + R + s·B·A of the
/// global model equals the example-weighted average of the sites' merged weights (each site's
/// adapters the global ones plus its clipped update), and residuals never travel back.
struct LoRAExactCoreTests {
    static let scale: Float = 2
    static let prefix = "encoder.layer.0.attention.self.query"

    /// Adapters that have already moved (B ≠ 0), a residual left by earlier rounds, and a head.
    static func global() -> OrderedDictionary<String, Tensor> {
        var generator = SeededGenerator(seed: 11)
        return [
            "\(prefix).lora_A.weight": LoRAExactAggregationTests.random([2, 5], &generator),
            "\(prefix).lora_B.weight": LoRAExactAggregationTests.random([6, 2], &generator),
            "\(prefix).lora_residual": LoRAExactAggregationTests.random([6, 5], &generator),
            "classifier.weight": LoRAExactAggregationTests.random([3, 6], &generator),
        ]
    }

    /// Three sites' updates (adapters and head, never the residual) and example counts; the
    /// last one is large enough to be clipped.
    static func updates() -> [String: FederationCore.Update] {
        var generator = SeededGenerator(seed: 12)
        var out: [String: FederationCore.Update] = [:]
        for (index, site) in ["s0", "s1", "s2"].enumerated() {
            let tensors = global().filter { !LoRAExactAggregation.isResidual($0.key) }.mapValues {
                var delta = LoRAExactAggregationTests.random($0.shape, &generator)
                delta.scale(by: index == 2 ? 4 : 0.3)
                return delta
            }
            out[site] = .init(examples: 10 * (index + 1), metrics: [:], tensors: tensors, bytes: 100)
        }
        return out
    }

    /// Runs one round with every site answering; returns the checkpoint and the clip factors.
    static func round(exact: Bool) throws -> (OrderedDictionary<String, Tensor>, [String: Float]) {
        var settings = FederationCore.Settings(
            policy: RoundPolicy(rounds: 1, minSites: 3, quorum: nil, deadlineSeconds: 600), clipNorm: 6)
        settings.loraExactScale = exact ? Self.scale : nil
        var core = FederationCore(settings: settings, global: Self.global())
        #expect(!core.spec.names.contains { LoRAExactAggregation.isResidual($0) }, "a residual is not part of an update")
        let updates = Self.updates()
        var pending: [FederationCore.Action] = []
        for site in ["s0", "s1", "s2"] { pending += core.handle(.siteJoined(site, holdsBase: true), now: 0) }
        var checkpoint: OrderedDictionary<String, Tensor>?
        var clips: [String: Float] = [:]
        while !pending.isEmpty {
            switch pending.removeFirst() {
            case .train(let round, let site, _, let tensors):
                #expect(tensors.keys.contains("\(prefix).lora_residual"), "the residual goes to the sites")
                pending += core.handle(.updateReceived(site: site, round: round, updates[site]!), now: 0)
            case .writeCheckpoint(let round, let tensors, let record):
                checkpoint = tensors
                clips = record.clipScales.mapValues { Float($0) }
                pending += core.handle(.checkpointWritten(round: round), now: 0)
            default: continue
            }
        }
        return (try #require(checkpoint), clips)
    }

    /// W-free merged update R + s·B·A of a set of tensors.
    static func merged(_ tensors: OrderedDictionary<String, Tensor>) -> Tensor {
        var merged = tensors["\(prefix).lora_residual"]!
        Tensor.matmul(
            tensors["\(prefix).lora_B.weight"]!, tensors["\(prefix).lora_A.weight"]!, into: &merged,
            accumulate: true, alpha: Self.scale)
        return merged
    }

    @Test func theGlobalModelIsTheAverageOfTheSitesMergedWeights() throws {
        let (exact, clips) = try Self.round(exact: true)
        #expect(clips["s2"].map { $0 < 1 } == true, "the large update was clipped: \(clips)")
        // Each site's merged weights, from the global tensors plus its clipped update.
        let start = Self.global()
        var expected = Tensor(shape: [6, 5])
        var total: Float = 0
        for (site, update) in Self.updates() {
            var local = start
            for (name, delta) in update.tensors { local[name]!.axpy(clips[site] ?? 1, delta) }
            expected.axpy(Float(update.examples), Self.merged(local))
            total += Float(update.examples)
        }
        expected.scale(by: 1 / total)
        let error = zip(Self.merged(exact).scalars, expected.scalars).map { abs($0 - $1) }.max()!
        #expect(error < 1e-5, "exact aggregation: \(error)")

        let (plain, _) = try Self.round(exact: false)
        let plainError = zip(Self.merged(plain).scalars, expected.scalars).map { abs($0 - $1) }.max()!
        #expect(plainError > 1e-2, "averaging A and B alone is not exact: \(plainError)")
        // Everything but the residual is FedAvg's, in both modes.
        for name in plain.keys where !LoRAExactAggregation.isResidual(name) { #expect(plain[name] == exact[name]) }
    }

    @Test func exactAggregationNeedsPlainFedAvgInTheClear() {
        var settings = FederationCore.Settings(policy: RoundPolicy(rounds: 1, minSites: 3, quorum: nil, deadlineSeconds: 60))
        settings.loraExactScale = 2
        #expect(settings.loraExactConflict == nil)
        settings.optimizer = .defaults(.fedadam)
        #expect(settings.loraExactConflict?.contains("lora.exact needs strategy.optimizer fedavg") == true)
        settings.optimizer = nil
        settings.serverLearningRate = 0.5
        #expect(settings.loraExactConflict?.contains("server_learning_rate 1") == true)
        settings.serverLearningRate = 1
        settings.robust = .median
        #expect(settings.loraExactConflict?.contains("robust") == true)
        settings.loraExactScale = nil
        #expect(settings.loraExactConflict == nil)
    }
}
