import FedTensor

/// The names and shapes of the tensors an update must carry: the model's trainable
/// tensors, in checkpoint order.
package struct TensorSpec: Sendable, Equatable {
    package var entries: [(name: String, shape: [Int])]

    package init(_ entries: [(name: String, shape: [Int])]) {
        self.entries = entries
    }

    /// The spec of a set of tensors, taken from their names and shapes.
    package init(of tensors: some Sequence<(key: String, value: Tensor)>) {
        self.entries = tensors.map { (name: $0.key, shape: $0.value.shape) }
    }

    /// The spec of the updates sites send for `global`: every tensor but those only the
    /// coordinator sets (exact LoRA aggregation's residuals).
    package init(updatesOf global: some Sequence<(key: String, value: Tensor)>) {
        self.init(of: global.filter { !LoRAExactAggregation.isResidual($0.key) })
    }

    package var names: [String] { self.entries.map(\.name) }

    /// Total number of scalars.
    package var scalarCount: Int { self.entries.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    package static func == (lhs: TensorSpec, rhs: TensorSpec) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.name == $1.name && $0.shape == $1.shape }
    }
}
