import FedTensor
import FedText
import Foundation
import Testing

@testable import FedLearning

/// Backward through every encoder layer against central finite differences, on a tiny
/// random BERT with a padded batch, for each fine-tuning mode.
struct EncoderGradientTests {
    /// Elements of trainable tensors whose analytic and numeric gradients of Σ R ⊙ logits disagree.
    static func mismatches(
        _ model: TextClassifier,
        step h: Float = 1e-2,
        atol: Float = 3e-3,
        rtol: Float = 3e-2
    )
        -> [String]
    {
        let examples = TinyBert.examples()
        let rows = Array(0..<examples.count)[...]
        var generator = SeededGenerator(seed: 5)
        let projection = Tensor.normal(shape: [examples.count, 3], std: 1, using: &generator)
        model.parameters.zeroGradients()
        _ = model.logits(examples, rows: rows, training: false)
        model.backward(logitsGradient: projection)
        let analytic = model.parameters
        func loss() -> Float { model.logits(examples, rows: rows, training: false).dot(projection) }
        var found: [String] = []
        // Statistics (exact LoRA's residuals) travel but get no gradient.
        for p in 0..<analytic.count where analytic[p].optimized {
            for i in 0..<analytic[p].value.count {
                let original = model.parameters[p].value.scalars[i]
                model.parameters[p].value.scalars[i] = original + h
                let plus = loss()
                model.parameters[p].value.scalars[i] = original - h
                let minus = loss()
                model.parameters[p].value.scalars[i] = original
                let numeric = (plus - minus) / (2 * h)
                let value = analytic[p].grad.scalars[i]
                if abs(value - numeric) > atol + rtol * abs(numeric) {
                    found.append("\(analytic[p].name)[\(i)]: analytic \(value), numeric \(numeric)")
                }
            }
        }
        return found
    }

    @Test func fullFineTuningGradientsMatchThroughEveryLayerAndTheEmbeddings() throws {
        let model = try TinyBert.classifier(FineTuning(mode: .full))
        #expect(model.parameters.entries.allSatisfy { $0.trainable })
        let bad = Self.mismatches(model, step: 2e-3)
        #expect(bad.isEmpty, "\(bad.count) mismatches: \(bad.prefix(5))")
    }

    @Test func loraGradientsMatchForAdaptersOnEveryProjection() throws {
        let lora = LoRASettings(rank: 2, alpha: 4, dropout: 0, targets: LoRASettings.knownTargets)
        let model = try TinyBert.classifier(FineTuning(mode: .lora, lora: lora))
        let trainable = model.parameters.entries.filter(\.trainable).map(\.name)
        #expect(trainable.allSatisfy { $0.contains(".lora_") || $0.hasPrefix("classifier.") })
        #expect(trainable.filter { $0.contains(".lora_A.") }.count == 12)
        let bad = Self.mismatches(model)
        #expect(bad.isEmpty, "\(bad.count) mismatches: \(bad.prefix(5))")
    }

    /// Exact aggregation's residual R adds x·Rᵀ to each adapted projection: the gradients that
    /// flow through it (into lower layers' adapters) match, it gets none itself, and merging
    /// folds it into the weight.
    @Test func loraWithExactResidualsKeepsGradientsRightAndMergesTheResidual() throws {
        let lora = LoRASettings(rank: 2, alpha: 4, dropout: 0, targets: ["query", "value", "output"], exact: true)
        let model = try TinyBert.classifier(FineTuning(mode: .lora, lora: lora))
        var generator = SeededGenerator(seed: 8)
        for index in 0..<model.parameters.count
        where model.parameters[index].name.hasSuffix(".lora_residual") || model.parameters[index].name.contains(".lora_B.") {
            let shape = model.parameters[index].value.shape
            model.parameters[index].value = Tensor.normal(shape: shape, std: 0.05, using: &generator)
        }
        let residuals = model.parameters.entries.filter { $0.name.hasSuffix(".lora_residual") }
        #expect(residuals.count == 6 && residuals.allSatisfy { $0.trainable && !$0.optimized })
        let bad = Self.mismatches(model)
        #expect(bad.isEmpty, "\(bad.count) mismatches: \(bad.prefix(5))")
        #expect(residuals.allSatisfy { model.parameters[$0.name]!.grad.scalars.allSatisfy { $0 == 0 } })
        #expect(residuals.allSatisfy { model.parameters[$0.name]!.value.scalars.contains { $0 != 0 } })

        let examples = TinyBert.examples()
        let before = model.logits(examples, rows: [0, 1, 2], training: false)
        let merged = try model.merged()
        #expect(!merged.parameters.names.contains { $0.contains("lora_") })
        #expect(before.maxAbsDifference(merged.logits(examples, rows: [0, 1, 2], training: false)) < 1e-5)
        // Without its residuals the model computes something else: they are in the forward.
        for residual in residuals {
            model.parameters[model.parameters.index(of: residual.name)!].value.scale(by: 0)
        }
        #expect(before.maxAbsDifference(model.logits(examples, rows: [0, 1, 2], training: false)) > 1e-3)
    }

    /// Embedding hundreds of texts reports its progress batch by batch; a few texts do not.
    @Test func embeddingManyTextsReportsProgress() throws {
        let model = try TinyBert.classifier(FineTuning(mode: .head))
        var calls: [[Int]] = []
        model.onEmbedding = { calls.append([$0, $1]) }
        let few = TinyBert.examples()
        _ = model.embed(few)
        #expect(calls.isEmpty)
        var tokens: [[Int32]] = []
        for index in 0..<300 {
            let word = Int32(5 + index % 6)
            tokens.append([2] + [Int32](repeating: word, count: 1 + index % 4) + [3])
        }
        let many = TextExamples(tokens: tokens, labels: (0..<300).map { $0 % 3 }, classNames: ["x", "y", "z"])
        _ = model.embed(many)
        #expect(calls == [[0, 300], [64, 300], [128, 300], [192, 300], [256, 300], [300, 300]])
    }

    @Test func lastLayerGradientsMatchAndLowerLayersGetNone() throws {
        let model = try TinyBert.classifier(FineTuning(mode: .lastLayers, layers: 1))
        let trainable = model.parameters.entries.filter(\.trainable).map(\.name)
        #expect(trainable.allSatisfy { $0.hasPrefix("encoder.layer.1.") || $0.hasPrefix("classifier.") })
        let bad = Self.mismatches(model)
        #expect(bad.isEmpty, "\(bad.count) mismatches: \(bad.prefix(5))")
        #expect(model.parameters.entries.filter { !$0.trainable }.allSatisfy { $0.grad.scalars.allSatisfy { $0 == 0 } })
    }

    @Test func paddingDoesNotChangeASentencesLogits() throws {
        let model = try TinyBert.classifier(FineTuning(mode: .full))
        let examples = TinyBert.examples()
        let together = model.logits(examples, rows: [0, 1, 2], training: false)
        for row in 0..<3 {
            let alone = model.logits(examples, rows: [row], training: false)
            for c in 0..<3 { #expect(abs(alone.scalars[c] - together.scalars[row * 3 + c]) < 1e-5) }
        }
    }

    @Test func mergedLoRAWeightsComputeWhatTheAdaptersCompute() throws {
        let lora = LoRASettings(rank: 2, alpha: 4, dropout: 0, targets: ["query", "value"])
        let model = try TinyBert.classifier(FineTuning(mode: .lora, lora: lora))
        let examples = TinyBert.examples()
        let before = model.logits(examples, rows: [0, 1, 2], training: false)
        let merged = try model.merged()
        #expect(!merged.parameters.names.contains { $0.contains("lora_") })
        let after = merged.logits(examples, rows: [0, 1, 2], training: false)
        #expect(before.maxAbsDifference(after) < 1e-5)
    }

    @Test func fastMathMatchesLibm() {
        var worstExp: Float = 0
        var worstCDF: Float = 0
        for i in -4000...4000 {
            let x = Float(i) / 200
            worstExp = max(worstExp, abs(FastMath.exp(x) - Foundation.exp(x)) / Foundation.exp(x))
            let cdf = 0.5 * (1 + Foundation.erf(x / Float(2).squareRoot()))
            worstCDF = max(worstCDF, abs(FastMath.normalCDF(x) - Float(cdf)))
        }
        #expect(worstExp < 5e-7, "exp relative error \(worstExp)")
        #expect(worstCDF < 3e-7, "normal CDF absolute error \(worstCDF)")
    }
}
