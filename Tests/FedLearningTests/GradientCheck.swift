import FedTensor
import Testing

@testable import FedLearning

/// Checks a layer's backward pass against central finite differences of its forward.
///
/// The scalar probed is L = Σ R ⊙ forward(x) for a fixed random R, so dL/doutput = R and
/// every input and parameter element's analytic gradient can be compared with
/// (L(θ+h) − L(θ−h)) / 2h. Forward values are checked separately by each test.
enum GradientCheck {
    struct Mismatch: CustomStringConvertible {
        var what: String
        var index: Int
        var analytic: Float
        var numeric: Float
        var description: String { "\(what)[\(index)]: analytic \(analytic), numeric \(numeric)" }
    }

    /// Central differences of a scalar function at every element of `point`.
    static func numericGradient(at point: Tensor, step h: Float = 1e-2, _ f: (Tensor) -> Float) -> Tensor {
        var gradient = Tensor(shape: point.shape)
        for i in 0..<point.count {
            var plus = point
            var minus = point
            plus.scalars[i] += h
            minus.scalars[i] -= h
            gradient.scalars[i] = (f(plus) - f(minus)) / (2 * h)
        }
        return gradient
    }

    /// Returns every element whose gradients disagree beyond `atol + rtol·|numeric|`.
    static func mismatches(
        layer: any Layer,
        parameters: ParameterStore,
        input: Tensor,
        training: Bool = false,
        step h: Float = 1e-2,
        atol: Float = 2e-3,
        rtol: Float = 2e-2,
        beforeForward: () -> Void = {}
    ) -> [Mismatch] {
        var parameters = parameters
        var generator = SeededGenerator(seed: 77)
        beforeForward()
        layer.forward(input, parameters: parameters, training: training)
        let projection = Tensor.normal(shape: layer.output.shape, std: 1, using: &generator)

        parameters.zeroGradients()
        layer.backward(input, outputGradient: projection, parameters: &parameters, needsInputGradient: true)
        let inputGradient = layer.inputGradient

        func loss(_ x: Tensor, _ p: ParameterStore) -> Float {
            beforeForward()
            layer.forward(x, parameters: p, training: training)
            return layer.output.dot(projection)
        }
        var found: [Mismatch] = []
        func compare(_ what: String, _ i: Int, _ analytic: Float, _ numeric: Float) {
            if abs(analytic - numeric) > atol + rtol * abs(numeric) {
                found.append(Mismatch(what: what, index: i, analytic: analytic, numeric: numeric))
            }
        }
        let numericInput = numericGradient(at: input, step: h) { loss($0, parameters) }
        for i in 0..<input.count { compare("input", i, inputGradient.scalars[i], numericInput.scalars[i]) }
        for p in 0..<parameters.count where parameters[p].trainable {
            for i in 0..<parameters[p].value.count {
                var plus = parameters
                var minus = parameters
                plus[p].value.scalars[i] += h
                minus[p].value.scalars[i] -= h
                compare(
                    parameters[p].name,
                    i,
                    parameters[p].grad.scalars[i],
                    (loss(input, plus) - loss(input, minus)) / (2 * h)
                )
            }
        }
        return found
    }
}
