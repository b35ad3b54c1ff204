import FedTensor

/// A fully connected layer: y[N,out] = x[N,in] · W[out,in]ᵀ + b[out], with W stored
/// [out,in] as PyTorch and Hugging Face do.
package final class Linear: Layer {
    package let weight: Int
    package let bias: Int?
    package let inputs: Int
    package let outputs: Int
    package internal(set) var output = Tensor(shape: [0])
    package private(set) var inputGradient = Tensor(shape: [0])

    /// Adds `name.weight` [outputs, inputs] and `name.bias` [outputs] to `parameters`,
    /// initialised as PyTorch does (uniform ±1/√inputs).
    package init(
        _ name: String,
        inputs: Int,
        outputs: Int,
        bias: Bool = true,
        parameters: inout ParameterStore,
        generator: inout SeededGenerator
    ) {
        let bound = 1 / Float(inputs).squareRoot()
        self.inputs = inputs
        self.outputs = outputs
        self.weight = parameters.add(
            "\(name).weight",
            .uniform(shape: [outputs, inputs], bound: bound, using: &generator)
        )
        self.bias =
            bias ? parameters.add("\(name).bias", .uniform(shape: [outputs], bound: bound, using: &generator)) : nil
    }

    package func forward(_ input: Tensor, parameters: ParameterStore, training: Bool) {
        // y[N,out] = x[N,in] · W[out,in]ᵀ
        Tensor.matmul(input, parameters[self.weight].value, transposeB: true, into: &self.output)
        if let bias = self.bias {
            self.output.addRowVector(parameters[bias].value)
        }
    }

    package func backward(
        _ input: Tensor,
        outputGradient: Tensor,
        parameters: inout ParameterStore,
        needsInputGradient: Bool
    ) {
        if parameters[self.weight].trainable {
            // dW[out,in] += dy[N,out]ᵀ · x[N,in]
            Tensor.matmul(
                outputGradient,
                input,
                transposeA: true,
                into: &parameters[self.weight].grad,
                accumulate: true
            )
        }
        if let bias = self.bias, parameters[bias].trainable {
            // db[out] += Σ_n dy[n,out]
            parameters[bias].grad.accumulateColumnSums(of: outputGradient)
        }
        if needsInputGradient {
            // dx[N,in] = dy[N,out] · W[out,in]
            Tensor.matmul(outputGradient, parameters[self.weight].value, into: &self.inputGradient)
        }
    }
}
