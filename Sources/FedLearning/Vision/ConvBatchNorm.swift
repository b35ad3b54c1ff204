import FedTensor

/// A convolution, its batch norm and optionally ReLU6: the unit every EfficientNet layer is
/// made of (stem, expansion, depthwise, projection, head), as one forward/backward pair. The
/// ReLU6 runs inside the batch norm's pass (`BatchNorm2d.clampsToReLU6`), so the unit streams its
/// activations twice (convolution, then normalisation) rather than three times.
package final class ConvBatchNorm: Layer {
    package let conv: Conv2d
    package let norm: BatchNorm2d
    /// Whether the last forward (evaluation) normalised the convolution's output in place.
    private var normalizedInPlace = false

    /// `name` is the convolution's (`_conv_stem`), `normName` its batch norm's (`_bn0`).
    package init(
        _ name: String,
        norm normName: String,
        inChannels: Int,
        outChannels: Int,
        kernelSize: Int,
        stride: Int = 1,
        depthwise: Bool = false,
        activated: Bool,
        epsilon: Float,
        momentum: Float,
        parameters: inout ParameterStore,
        generator: inout SeededGenerator
    ) {
        self.conv = Conv2d(
            name,
            inChannels: inChannels,
            outChannels: outChannels,
            kernelSize: kernelSize,
            stride: stride,
            padding: .same,
            groups: depthwise ? inChannels : 1,
            parameters: &parameters,
            generator: &generator
        )
        self.norm = BatchNorm2d(
            normName,
            channels: outChannels,
            epsilon: epsilon,
            momentum: momentum,
            clampsToReLU6: activated,
            parameters: &parameters
        )
    }

    /// Whether ReLU6 follows the batch norm.
    package var activated: Bool { self.norm.clampsToReLU6 }

    package var output: Tensor { self.normalizedInPlace ? self.conv.output : self.norm.output }
    package var inputGradient: Tensor { self.conv.inputGradient }

    package func forward(_ input: Tensor, parameters: ParameterStore, training: Bool) {
        self.forward(input, adding: nil, parameters: parameters, training: training)
    }

    /// `forward` with `residual` added to the output in the batch norm's pass (a residual
    /// block's projection unit, which has no ReLU6); backward is unchanged, since the sum's
    /// gradient is the batch norm output's.
    package func forward(_ input: Tensor, adding residual: Tensor?, parameters: ParameterStore, training: Bool) {
        // Evaluation, or a frozen unit (fixed statistics, nothing trainable: a fine-tune's frozen
        // prefix, which backward never reaches): the batch norm is a fixed affine map, applied to
        // each image's output in place as soon as the convolution has computed it.
        let frozen =
            !self.norm.useBatchStatistics && !parameters[self.conv.weight].trainable
            && !parameters[self.norm.weight].trainable && !parameters[self.norm.bias].trainable
        self.normalizedInPlace = !training || frozen
        guard !self.normalizedInPlace else {
            let g = self.conv.geometry(for: input.shape)
            let plane = g.outputPlane
            let size = self.conv.outChannels * plane
            self.norm.beginInPlaceEvaluation(
                shape: [g.batch, self.conv.outChannels, g.outputHeight, g.outputWidth],
                parameters: parameters
            )
            (residual ?? Tensor(shape: [0])).scalars.withUnsafeBufferPointer { r in
                self.conv.forward(input, parameters: parameters, training: false) { images, y in
                    self.norm.normalizeInPlace(
                        y,
                        images: images.count,
                        plane: plane,
                        residual: r.isEmpty ? nil : r.baseAddress! + images.lowerBound * size
                    )
                }
            }
            return
        }
        self.conv.forward(input, parameters: parameters, training: training)
        self.norm.forward(self.conv.output, adding: residual, parameters: parameters, training: training)
    }

    package func backward(
        _ input: Tensor,
        outputGradient: Tensor,
        parameters: inout ParameterStore,
        needsInputGradient: Bool
    ) {
        precondition(!self.normalizedInPlace, "a conv + batch norm unit's backward needs a training forward")
        self.norm.backward(
            self.conv.output,
            outputGradient: outputGradient,
            parameters: &parameters,
            needsInputGradient: true
        )
        self.conv.backward(
            input,
            outputGradient: self.norm.inputGradient,
            parameters: &parameters,
            needsInputGradient: needsInputGradient
        )
    }

    /// Folds the last training forward's batch statistics into the running statistics.
    package func updateRunningStatistics(_ parameters: inout ParameterStore) {
        self.norm.updateRunningStatistics(&parameters)
    }
}
