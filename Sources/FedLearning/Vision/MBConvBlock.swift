import FedTensor

/// EfficientNet's mobile inverted bottleneck block: 1×1 expansion (when the expand ratio is
/// above 1), k×k depthwise convolution, 1×1 linear projection, each with its batch norm
/// (ReLU6 after all but the projection), and the input added back when the block keeps
/// stride 1 and width (Sandler et al. 2018; Tan and Le 2019, without squeeze-excitation as
/// in EfficientNet-Lite).
package final class MBConvBlock: Layer {
    package let configuration: EfficientNetConfiguration.Block
    package let units: [ConvBatchNorm]
    /// The input gradient of a residual block; a block without a skip hands out its first unit's.
    private var sumGradient = Tensor(shape: [0])

    /// The last unit's output, which in a residual block already holds the input added back.
    package var output: Tensor { self.units[self.units.count - 1].output }
    package var inputGradient: Tensor { self.configuration.residual ? self.sumGradient : self.units[0].inputGradient }

    /// Adds block `index`'s tensors under `_blocks.<index>.` names.
    package init(
        index: Int,
        _ block: EfficientNetConfiguration.Block,
        epsilon: Float,
        momentum: Float,
        parameters: inout ParameterStore,
        generator: inout SeededGenerator
    ) {
        self.configuration = block
        let prefix = "_blocks.\(index)."
        var units: [ConvBatchNorm] = []
        if block.expands {
            units.append(
                ConvBatchNorm(
                    prefix + "_expand_conv", norm: prefix + "_bn0", inChannels: block.inputs,
                    outChannels: block.expanded, kernelSize: 1, activated: true, epsilon: epsilon, momentum: momentum,
                    parameters: &parameters, generator: &generator
                )
            )
        }
        units.append(
            ConvBatchNorm(
                prefix + "_depthwise_conv", norm: prefix + "_bn1", inChannels: block.expanded,
                outChannels: block.expanded, kernelSize: block.kernel, stride: block.stride, depthwise: true,
                activated: true, epsilon: epsilon, momentum: momentum, parameters: &parameters, generator: &generator
            )
        )
        units.append(
            ConvBatchNorm(
                prefix + "_project_conv", norm: prefix + "_bn2", inChannels: block.expanded,
                outChannels: block.outputs, kernelSize: 1, activated: false, epsilon: epsilon, momentum: momentum,
                parameters: &parameters, generator: &generator
            )
        )
        self.units = units
    }

    package func forward(_ input: Tensor, parameters: ParameterStore, training: Bool) {
        var x = input
        let last = self.units.count - 1
        for unit in self.units[..<last] {
            unit.forward(x, parameters: parameters, training: training)
            x = unit.output
        }
        // output = projection + input, added in the projection's batch norm pass.
        let residual = self.configuration.residual ? input : nil
        self.units[last].forward(x, adding: residual, parameters: parameters, training: training)
    }

    package func backward(
        _ input: Tensor,
        outputGradient: Tensor,
        parameters: inout ParameterStore,
        needsInputGradient: Bool
    ) {
        var gradient = outputGradient
        for (position, unit) in self.units.enumerated().reversed() {
            let unitInput = position == 0 ? input : self.units[position - 1].output
            unit.backward(
                unitInput,
                outputGradient: gradient,
                parameters: &parameters,
                needsInputGradient: position > 0 || needsInputGradient
            )
            gradient = unit.inputGradient
        }
        guard needsInputGradient, self.configuration.residual else { return }
        self.sumGradient.resize(to: input.shape)
        self.sumGradient.scalars.withUnsafeMutableBufferPointer { dx in
            gradient.scalars.withUnsafeBufferPointer { g in
                outputGradient.scalars.withUnsafeBufferPointer { dy in
                    Parallel.forEachChunk(dx.count, minimum: 1 << 15) { range in
                        for k in range { dx[k] = g[k] + dy[k] }
                    }
                }
            }
        }
    }

    /// Whether the batch norms normalise with batch statistics while training (trained blocks)
    /// or keep their running statistics (frozen blocks).
    package var useBatchStatistics: Bool {
        get { self.units[0].norm.useBatchStatistics }
        set { for unit in self.units { unit.norm.useBatchStatistics = newValue } }
    }

    package func updateRunningStatistics(_ parameters: inout ParameterStore) {
        for unit in self.units { unit.updateRunningStatistics(&parameters) }
    }
}
