import FedTensor

extension BatchNorm2d {
    /// The weight and bias of one convolution equal to `conv` followed by this BatchNorm in
    /// evaluation mode (running statistics), for frozen blocks where the pair never changes:
    /// with s_o = γ_o / √(running_var_o + ε), W'[o] = W[o]·s_o and b'_o = β_o + (b_o − running_mean_o)·s_o
    /// (b_o = 0 when `conv` has no bias).
    /// - Returns: weight [out, in/groups, kh, kw] and bias [out].
    package func folded(into conv: Conv2d, parameters: ParameterStore) -> (weight: Tensor, bias: Tensor) {
        precondition(
            conv.outChannels == self.channels,
            "folding a \(self.channels)-channel BatchNorm into a \(conv.outChannels)-channel conv"
        )
        var weight = parameters[conv.weight].value
        var bias = conv.bias.map { parameters[$0].value } ?? Tensor(shape: [self.channels])
        let gamma = parameters[self.weight].value.scalars
        let beta = parameters[self.bias].value.scalars
        let mean = parameters[self.runningMean].value.scalars
        let variance = parameters[self.runningVariance].value.scalars
        let perChannel = weight.count / self.channels
        for o in 0..<self.channels {
            let scale = gamma[o] / (variance[o] + self.epsilon).squareRoot()
            for i in (o * perChannel)..<((o + 1) * perChannel) { weight.scalars[i] *= scale }
            bias.scalars[o] = beta[o] + (bias.scalars[o] - mean[o]) * scale
        }
        return (weight, bias)
    }
}
