import FedTensor

/// A differentiable step of a sequential model, as an explicit forward/backward pair.
///
/// A layer owns its output and input-gradient buffers (sized once per batch shape and
/// reused) and keeps whatever backward needs from forward. Its parameters live in the
/// model's `ParameterStore`, addressed by index; backward accumulates (`+=`) into their
/// gradients and writes the gradient of its input.
package protocol Layer: AnyObject {
    /// The result of the last forward pass.
    var output: Tensor { get }
    /// The gradient of the loss with respect to the last backward pass's input.
    var inputGradient: Tensor { get }
    /// Computes `output` from `input`; `training` switches dropout on.
    func forward(_ input: Tensor, parameters: ParameterStore, training: Bool)
    /// Given the same `input` as the last forward and the gradient of the loss with
    /// respect to `output`, accumulates parameter gradients and writes `inputGradient`
    /// (skipped when `needsInputGradient` is false: the first layer's input is data).
    func backward(_ input: Tensor, outputGradient: Tensor, parameters: inout ParameterStore, needsInputGradient: Bool)
}
