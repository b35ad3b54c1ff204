import FedTensor

/// One post-LayerNorm transformer block of BERT:
/// x₁ = LN(attention(x)·W_oᵀ + x), out = LN(GELU(x₁·W_iᵀ)·W_o2ᵀ + x₁).
///
/// Projections named in the LoRA settings carry adapters; everything reuses the layers
/// of `Layers/` with their own gradient checks.
final class BertLayer {
    let query: any Layer
    let key: any Layer
    let value: any Layer
    let attention: MultiHeadAttention
    let attentionOutput: any Layer
    let attentionNorm: LayerNorm
    let intermediate: any Layer
    let activation = Activation(.gelu)
    let feedForwardOutput: any Layer
    let outputNorm: LayerNorm
    /// `encoder.layer.N.`, the start of every tensor name of this block.
    let prefix: String
    private var attentionSum = Tensor(shape: [0])
    private var feedForwardSum = Tensor(shape: [0])
    private var normGradient = Tensor(shape: [0])
    private(set) var inputGradient = Tensor(shape: [0])

    var output: Tensor { self.outputNorm.output }

    init(
        index: Int,
        configuration: BertConfiguration,
        lora: LoRASettings?,
        parameters: inout ParameterStore,
        generator: inout SeededGenerator
    ) {
        let (h, i) = (configuration.hiddenSize, configuration.intermediateSize)
        let prefix = "encoder.layer.\(index)."
        self.prefix = prefix
        func projection(_ target: String, _ name: String, inputs: Int, outputs: Int) -> any Layer {
            let linear = Linear(
                prefix + name,
                inputs: inputs,
                outputs: outputs,
                parameters: &parameters,
                generator: &generator
            )
            guard let lora, lora.targets.contains(target) else { return linear }
            return LoRALinear(
                prefix + name,
                base: linear,
                settings: lora,
                parameters: &parameters,
                generator: &generator
            )
        }
        self.query = projection("query", "attention.self.query", inputs: h, outputs: h)
        self.key = projection("key", "attention.self.key", inputs: h, outputs: h)
        self.value = projection("value", "attention.self.value", inputs: h, outputs: h)
        self.attention = MultiHeadAttention(heads: configuration.headCount, headWidth: configuration.headWidth)
        self.attentionOutput = projection("attention.output", "attention.output.dense", inputs: h, outputs: h)
        self.attentionNorm = LayerNorm(
            prefix + "attention.output.LayerNorm",
            width: h,
            epsilon: configuration.layerNormEpsilon,
            parameters: &parameters
        )
        self.intermediate = projection("intermediate", "intermediate.dense", inputs: h, outputs: i)
        self.feedForwardOutput = projection("output", "output.dense", inputs: i, outputs: h)
        self.outputNorm = LayerNorm(
            prefix + "output.LayerNorm",
            width: h,
            epsilon: configuration.layerNormEpsilon,
            parameters: &parameters
        )
    }

    /// The block's output [B·L, hidden] for input x [B·L, hidden].
    func forward(_ x: Tensor, mask: [Float], batchSize: Int, length: Int, parameters: ParameterStore, training: Bool) {
        for projection in [self.query, self.key, self.value] {
            projection.forward(x, parameters: parameters, training: training)
        }
        self.attention.forward(
            query: self.query.output,
            key: self.key.output,
            value: self.value.output,
            mask: mask,
            batchSize: batchSize,
            length: length
        )
        self.attentionOutput.forward(self.attention.context, parameters: parameters, training: training)
        Self.add(self.attentionOutput.output, x, into: &self.attentionSum)
        self.attentionNorm.forward(self.attentionSum, parameters: parameters, training: training)
        self.intermediate.forward(self.attentionNorm.output, parameters: parameters, training: training)
        self.activation.forward(self.intermediate.output, parameters: parameters, training: training)
        self.feedForwardOutput.forward(self.activation.output, parameters: parameters, training: training)
        Self.add(self.feedForwardOutput.output, self.attentionNorm.output, into: &self.feedForwardSum)
        self.outputNorm.forward(self.feedForwardSum, parameters: parameters, training: training)
    }

    /// Accumulates parameter gradients for the last forward and, when asked, writes the
    /// gradient of its input x.
    func backward(
        _ x: Tensor,
        outputGradient: Tensor,
        batchSize: Int,
        length: Int,
        parameters: inout ParameterStore,
        needsInputGradient: Bool
    ) {
        self.outputNorm.backward(
            self.feedForwardSum,
            outputGradient: outputGradient,
            parameters: &parameters,
            needsInputGradient: true
        )
        let sumGradient = self.outputNorm.inputGradient
        self.feedForwardOutput.backward(
            self.activation.output,
            outputGradient: sumGradient,
            parameters: &parameters,
            needsInputGradient: true
        )
        self.activation.backward(
            self.intermediate.output,
            outputGradient: self.feedForwardOutput.inputGradient,
            parameters: &parameters,
            needsInputGradient: true
        )
        self.intermediate.backward(
            self.attentionNorm.output,
            outputGradient: self.activation.inputGradient,
            parameters: &parameters,
            needsInputGradient: true
        )
        // The residual path: x₁ feeds both the feed-forward block and the second sum.
        Self.add(self.intermediate.inputGradient, sumGradient, into: &self.normGradient)
        self.attentionNorm.backward(
            self.attentionSum,
            outputGradient: self.normGradient,
            parameters: &parameters,
            needsInputGradient: true
        )
        let attentionSumGradient = self.attentionNorm.inputGradient
        self.attentionOutput.backward(
            self.attention.context,
            outputGradient: attentionSumGradient,
            parameters: &parameters,
            needsInputGradient: true
        )
        self.attention.backward(
            contextGradient: self.attentionOutput.inputGradient,
            query: self.query.output,
            key: self.key.output,
            value: self.value.output,
            batchSize: batchSize,
            length: length
        )
        self.query.backward(
            x,
            outputGradient: self.attention.queryGradient,
            parameters: &parameters,
            needsInputGradient: needsInputGradient
        )
        self.key.backward(
            x,
            outputGradient: self.attention.keyGradient,
            parameters: &parameters,
            needsInputGradient: needsInputGradient
        )
        self.value.backward(
            x,
            outputGradient: self.attention.valueGradient,
            parameters: &parameters,
            needsInputGradient: needsInputGradient
        )
        guard needsInputGradient else { return }
        self.inputGradient.resize(to: x.shape)
        self.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
            self.query.inputGradient.scalars.withUnsafeBufferPointer { dq in
                self.key.inputGradient.scalars.withUnsafeBufferPointer { dk in
                    self.value.inputGradient.scalars.withUnsafeBufferPointer { dv in
                        attentionSumGradient.scalars.withUnsafeBufferPointer { dr in
                            for i in 0..<dx.count { dx[i] = dq[i] + dk[i] + dv[i] + dr[i] }
                        }
                    }
                }
            }
        }
    }

    /// Whether any tensor of this block is trainable.
    func hasTrainable(_ parameters: ParameterStore) -> Bool {
        parameters.entries.contains { $0.trainable && $0.name.hasPrefix(self.prefix) }
    }

    private static func add(_ a: Tensor, _ b: Tensor, into out: inout Tensor) {
        out.resize(to: a.shape)
        out.scalars.withUnsafeMutableBufferPointer { o in
            a.scalars.withUnsafeBufferPointer { x in
                b.scalars.withUnsafeBufferPointer { y in
                    for i in 0..<o.count { o[i] = x[i] + y[i] }
                }
            }
        }
    }
}
