import FedRounds
import FedTensor

/// How low-rank adapters are attached: rank r, scale α/r, dropout on the adapter's input,
/// and which projections of each encoder layer get one (PEFT's `target_modules`).
package struct LoRASettings: Sendable, Codable, Equatable {
    package var rank: Int = 8
    package var alpha: Float = 16
    package var dropout: Float = 0.1
    /// Projection names inside a layer: query, key, value, attention.output, intermediate, output.
    package var targets: [String] = ["query", "value"]
    /// FedEx-LoRA's exact aggregation: each adapted projection gets a frozen residual
    /// `….lora_residual` [out, in] that the coordinator sets so the global model equals the
    /// average of the sites' merged weights (see `LoRAExactAggregation`).
    package var exact = false

    package init(
        rank: Int = 8, alpha: Float = 16, dropout: Float = 0.1, targets: [String] = ["query", "value"],
        exact: Bool = false
    ) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targets = targets
        self.exact = exact
    }

    package static let knownTargets = ["query", "key", "value", "attention.output", "intermediate", "output"]

    /// α / r, the factor on the adapter's contribution.
    package var scale: Float { self.alpha / Float(self.rank) }

    private enum CodingKeys: String, CodingKey { case rank, alpha, dropout, targets, exact }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.rank, forKey: .rank)
        try c.encode(self.alpha, forKey: .alpha)
        try c.encode(self.dropout, forKey: .dropout)
        try c.encode(self.targets, forKey: .targets)
        // Left out when off, so models saved without it describe themselves as before.
        if self.exact { try c.encode(true, forKey: .exact) }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        self.rank = try c.decodeIfPresent(Int.self, forKey: .rank) ?? self.rank
        self.alpha = try c.decodeIfPresent(Float.self, forKey: .alpha) ?? self.alpha
        self.dropout = try c.decodeIfPresent(Float.self, forKey: .dropout) ?? self.dropout
        self.targets = try c.decodeIfPresent([String].self, forKey: .targets) ?? self.targets
        self.exact = try c.decodeIfPresent(Bool.self, forKey: .exact) ?? self.exact
    }

    /// Problems with the settings, each naming the field.
    package var problems: [String] {
        var problems: [String] = []
        if self.rank < 1 { problems.append("lora.rank must be at least 1") }
        if !(self.alpha > 0) { problems.append("lora.alpha must be positive") }
        if !(0..<1).contains(self.dropout) { problems.append("lora.dropout must be in [0, 1)") }
        if self.targets.isEmpty { problems.append("lora.targets must name at least one projection") }
        for target in self.targets where !Self.knownTargets.contains(target) {
            problems.append(
                "lora.targets: unknown projection '\(target)' (known: \(Self.knownTargets.joined(separator: ", ")))"
            )
        }
        return problems
    }
}

/// A frozen linear layer plus a trainable low-rank update (LoRA, Hu et al. 2021):
/// y = x·Wᵀ + b + (α/r)·(drop(x)·Aᵀ)·Bᵀ with A [r, in] and B [out, r], and under
/// `LoRASettings.exact` + x·Rᵀ with R the coordinator's residual (no gradient, no optimizer).
///
/// B starts at zero, so a fresh adapter leaves the pretrained model unchanged; names follow
/// PEFT (`….lora_A.weight`, `….lora_B.weight`), and `merge` folds the update into W.
package final class LoRALinear: Layer {
    package let base: Linear
    package let adapterA: Int
    package let adapterB: Int
    /// The index of `….lora_residual` under exact aggregation.
    package let residual: Int?
    package let scale: Float
    private let dropout: Dropout?
    package private(set) var inputGradient = Tensor(shape: [0])
    private var down = Tensor(shape: [0])
    private var downGradient = Tensor(shape: [0])
    private var adapterInputGradient = Tensor(shape: [0])
    /// Whether the last forward dropped adapter inputs (training with dropout).
    private var dropped = false

    package var output: Tensor { self.base.output }

    /// Wraps `base` (named `name`) with adapters added to `parameters`, initialised as PEFT
    /// does: A uniform ±1/√in (Kaiming with a = √5), B zero.
    package init(
        _ name: String,
        base: Linear,
        settings: LoRASettings,
        parameters: inout ParameterStore,
        generator: inout SeededGenerator
    ) {
        self.base = base
        let bound = 1 / Float(base.inputs).squareRoot()
        self.adapterA = parameters.add(
            "\(name).lora_A.weight",
            .uniform(shape: [settings.rank, base.inputs], bound: bound, using: &generator)
        )
        self.adapterB = parameters.add("\(name).lora_B.weight", Tensor(shape: [base.outputs, settings.rank]))
        // A statistic: it travels with the adapters but only the coordinator changes it.
        self.residual =
            settings.exact
            ? parameters.add(
                name + LoRAExactAggregation.residualSuffix, Tensor(shape: [base.outputs, base.inputs]), statistic: true)
            : nil
        self.scale = settings.scale
        self.dropout = settings.dropout > 0 ? Dropout(rate: settings.dropout, seed: generator.next()) : nil
    }

    package func forward(_ input: Tensor, parameters: ParameterStore, training: Bool) {
        self.base.forward(input, parameters: parameters, training: training)
        if let residual = self.residual {
            Tensor.matmul(input, parameters[residual].value, transposeB: true, into: &self.base.output, accumulate: true)
        }
        let adapterInput = self.adapterInput(input, parameters: parameters, training: training)
        // down[N, r] = drop(x) · Aᵀ, then y += scale · down · Bᵀ
        Tensor.matmul(adapterInput, parameters[self.adapterA].value, transposeB: true, into: &self.down)
        Tensor.matmul(
            self.down,
            parameters[self.adapterB].value,
            transposeB: true,
            into: &self.base.output,
            accumulate: true,
            alpha: self.scale
        )
    }

    private func adapterInput(_ input: Tensor, parameters: ParameterStore, training: Bool) -> Tensor {
        self.dropped = training && self.dropout != nil
        guard let dropout = self.dropout, training else { return input }
        dropout.forward(input, parameters: parameters, training: true)
        return dropout.output
    }

    package func backward(
        _ input: Tensor,
        outputGradient: Tensor,
        parameters: inout ParameterStore,
        needsInputGradient: Bool
    ) {
        self.base.backward(
            input,
            outputGradient: outputGradient,
            parameters: &parameters,
            needsInputGradient: needsInputGradient
        )
        let adapterInput = self.dropped ? self.dropout!.output : input
        if parameters[self.adapterB].trainable {
            // dB[out, r] += scale · dyᵀ · down
            Tensor.matmul(
                outputGradient,
                self.down,
                transposeA: true,
                into: &parameters[self.adapterB].grad,
                accumulate: true,
                alpha: self.scale
            )
        }
        // ddown[N, r] = scale · dy · B
        Tensor.matmul(outputGradient, parameters[self.adapterB].value, into: &self.downGradient, alpha: self.scale)
        if parameters[self.adapterA].trainable {
            // dA[r, in] += ddownᵀ · drop(x)
            Tensor.matmul(
                self.downGradient,
                adapterInput,
                transposeA: true,
                into: &parameters[self.adapterA].grad,
                accumulate: true
            )
        }
        guard needsInputGradient else { return }
        self.inputGradient.resize(to: input.shape)
        Tensor.matmul(self.downGradient, parameters[self.adapterA].value, into: &self.adapterInputGradient)
        if self.dropped, let dropout = self.dropout {
            dropout.backward(
                input,
                outputGradient: self.adapterInputGradient,
                parameters: &parameters,
                needsInputGradient: true
            )
            self.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                self.base.inputGradient.scalars.withUnsafeBufferPointer { base in
                    dropout.inputGradient.scalars.withUnsafeBufferPointer { adapter in
                        for i in 0..<dx.count { dx[i] = base[i] + adapter[i] }
                    }
                }
            }
        } else {
            self.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                self.base.inputGradient.scalars.withUnsafeBufferPointer { base in
                    self.adapterInputGradient.scalars.withUnsafeBufferPointer { adapter in
                        for i in 0..<dx.count { dx[i] = base[i] + adapter[i] }
                    }
                }
            }
        }
        if let residual = self.residual {
            // dx += dy · R
            Tensor.matmul(outputGradient, parameters[residual].value, into: &self.inputGradient, accumulate: true)
        }
    }

    /// W (+ R) + scale · B·A: the plain weight that computes what base and adapter compute together.
    package func mergedWeight(_ parameters: ParameterStore) -> Tensor {
        var weight = parameters[self.base.weight].value
        if let residual = self.residual { weight.axpy(1, parameters[residual].value) }
        Tensor.matmul(
            parameters[self.adapterB].value,
            parameters[self.adapterA].value,
            into: &weight,
            accumulate: true,
            alpha: self.scale
        )
        return weight
    }
}
