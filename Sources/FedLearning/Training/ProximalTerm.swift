import FedTensor
import OrderedCollections

/// FedProx's proximal term (Li et al. 2020, "Federated Optimization in Heterogeneous
/// Networks"): the site minimises its loss plus μ/2·‖w − w_global‖² over the tensors that
/// travel, w_global being the tensors it received this round, so local training is pulled
/// back towards the global model by the gradient μ·(w − w_global). As in Flower's FedProx
/// examples, the term is added to the loss each step (here: its gradient, after backward and
/// before gradient clipping); the reported training loss stays the data loss alone.
package struct ProximalTerm: Sendable {
    /// μ ≥ 0; 0 adds nothing.
    package let mu: Float
    /// The anchored parameters: index in the store and w_global, for every tensor of the
    /// anchor that the optimizer trains (frozen tensors and running statistics get no gradient).
    private let anchors: [(index: Int, value: Tensor)]

    /// The term for `parameters` anchored at `anchor` (the round's global tensors by name);
    /// names the store lacks, or whose shapes differ, are not anchored (`RoundTraining` has
    /// loaded the anchor into the model already, which refuses both).
    package init(mu: Float, anchor: OrderedDictionary<String, Tensor>, parameters: ParameterStore) {
        self.mu = mu
        self.anchors = anchor.compactMap { name, value in
            guard let index = parameters.index(of: name), parameters[index].optimized,
                parameters[index].value.shape == value.shape
            else { return nil }
            return (index, value)
        }
    }

    /// Names of the anchored tensors, in the store's order of the anchor.
    package func anchoredNames(in parameters: ParameterStore) -> [String] {
        self.anchors.map { parameters[$0.index].name }
    }

    /// μ/2·‖w − w_global‖² over the anchored tensors.
    package func penalty(_ parameters: ParameterStore) -> Double {
        var sum: Double = 0
        for (index, global) in self.anchors {
            var difference = parameters[index].value
            difference.subtract(global)
            sum += difference.squaredNorm()
        }
        return Double(self.mu) / 2 * sum
    }

    /// grad += μ·(w − w_global) for every anchored tensor.
    package func addGradient(to parameters: inout ParameterStore) {
        let mu = self.mu
        for (index, global) in self.anchors {
            let w = parameters[index].value
            w.scalars.withUnsafeBufferPointer { w in
                global.scalars.withUnsafeBufferPointer { g in
                    parameters[index].grad.scalars.withUnsafeMutableBufferPointer { dw in
                        for i in 0..<dw.count { dw[i] += mu * (w[i] - g[i]) }
                    }
                }
            }
        }
    }
}
