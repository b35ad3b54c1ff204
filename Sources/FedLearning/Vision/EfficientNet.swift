import FedTensor

/// An EfficientNet-Lite backbone: stem, MBConv blocks and head convolution, then global
/// average pooling to one feature vector per image ([N, 3, H, W] → [N, headChannels]).
///
/// Its layers are numbered 0 (the stem), 1…B (the blocks) and B + 1 (the head
/// convolution). A forward may start at any layer, given that layer's input (a fine-tune
/// that trains only the top caches what the frozen layers below compute), and a backward
/// stops at the lowest layer that trains: nothing below it is differentiated.
package final class EfficientNet {
    package let configuration: EfficientNetConfiguration
    package let layers: [any Layer]
    private let pool = GlobalAveragePool()

    /// Batch-norm momentum for fine-tuning (PyTorch's default; the TensorFlow original
    /// trained with 0.01, which would leave ImageNet's statistics nearly untouched in the few
    /// hundred steps a site takes).
    package static let batchNormMomentum: Float = 0.1

    package init(configuration: EfficientNetConfiguration, parameters: inout ParameterStore, generator: inout SeededGenerator) {
        self.configuration = configuration
        let eps = configuration.batchNormEpsilon
        let momentum = Self.batchNormMomentum
        var layers: [any Layer] = [
            ConvBatchNorm(
                "_conv_stem", norm: "_bn0", inChannels: EfficientNetConfiguration.inputChannels,
                outChannels: configuration.stemChannels, kernelSize: 3, stride: configuration.stemStride,
                activated: true, epsilon: eps, momentum: momentum, parameters: &parameters, generator: &generator
            )
        ]
        for (index, block) in configuration.blocks.enumerated() {
            layers.append(
                MBConvBlock(
                    index: index, block, epsilon: eps, momentum: momentum, parameters: &parameters,
                    generator: &generator
                )
            )
        }
        layers.append(
            ConvBatchNorm(
                "_conv_head", norm: "_bn1", inChannels: configuration.blocks.last?.outputs ?? configuration.stemChannels,
                outChannels: configuration.headChannels, kernelSize: 1, activated: true, epsilon: eps,
                momentum: momentum, parameters: &parameters, generator: &generator
            )
        )
        self.layers = layers
    }

    /// The pooled features [N, headChannels] of the last forward.
    package var output: Tensor { self.pool.output }

    /// The output of layer `index` in the last forward.
    package func output(ofLayer index: Int) -> Tensor { self.layers[index].output }

    /// Runs layers `start`..<`end` on `input` (images for layer 0, else layer `start − 1`'s
    /// output), then the pooling when `end` is past the last layer (the default).
    package func forward(
        _ input: Tensor,
        from start: Int = 0,
        upTo end: Int = .max,
        parameters: ParameterStore,
        training: Bool
    ) {
        var x = input
        for index in start..<Swift.min(end, self.layers.count) {
            self.layers[index].forward(x, parameters: parameters, training: training)
            x = self.layers[index].output
        }
        if end >= self.layers.count { self.pool.forward(x, parameters: parameters, training: training) }
    }

    /// Backpropagates the pooled features' gradient down to layer `lowest`, accumulating the
    /// trainable tensors' gradients; `input` and `start` are those of the last forward.
    package func backward(
        _ input: Tensor,
        from start: Int = 0,
        outputGradient: Tensor,
        parameters: inout ParameterStore,
        downTo lowest: Int
    ) {
        let last = self.layers.count - 1
        guard lowest <= last else { return }
        self.pool.backward(
            self.layers[last].output,
            outputGradient: outputGradient,
            parameters: &parameters,
            needsInputGradient: true
        )
        var gradient = self.pool.inputGradient
        let bottom = Swift.max(lowest, start)
        for index in stride(from: last, through: bottom, by: -1) {
            let layerInput = index == start ? input : self.layers[index - 1].output
            self.layers[index].backward(
                layerInput,
                outputGradient: gradient,
                parameters: &parameters,
                needsInputGradient: index > bottom
            )
            gradient = self.layers[index].inputGradient
        }
    }

    /// Puts layers `lowest`… in training-mode batch norm and the rest in evaluation mode.
    package func useBatchStatistics(from lowest: Int) {
        for (index, layer) in self.layers.enumerated() {
            let on = index >= lowest
            if let unit = layer as? ConvBatchNorm { unit.norm.useBatchStatistics = on }
            if let block = layer as? MBConvBlock { block.useBatchStatistics = on }
        }
    }

    /// Folds the last training forward's batch statistics into the running statistics of
    /// layers `lowest`….
    package func updateRunningStatistics(_ parameters: inout ParameterStore, from lowest: Int) {
        for index in lowest..<self.layers.count {
            if let unit = self.layers[index] as? ConvBatchNorm { unit.updateRunningStatistics(&parameters) }
            if let block = self.layers[index] as? MBConvBlock { block.updateRunningStatistics(&parameters) }
        }
    }
}
