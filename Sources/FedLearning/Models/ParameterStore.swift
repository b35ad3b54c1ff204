import FedTensor
import OrderedCollections

/// One named tensor of a model, its gradient, and whether training may change it.
package struct Parameter: Sendable, Equatable {
    package var name: String
    package var value: Tensor
    /// Same shape as `value`; accumulated by backward passes, zeroed per step.
    package var grad: Tensor
    /// Frozen parameters get no gradient and never travel after the first round.
    package var trainable: Bool
    /// A running statistic (a batch norm's running mean and variance): its layer updates it
    /// in training, no gradient or optimizer touches it. When also `trainable` it travels
    /// and is averaged with the trained tensors.
    package var statistic: Bool

    package init(name: String, value: Tensor, trainable: Bool = true, statistic: Bool = false) {
        self.name = name
        self.value = value
        self.grad = Tensor(shape: value.shape)
        self.trainable = trainable
        self.statistic = statistic
    }

    /// Trained, but kept at its site: it never travels and is never averaged (FedBN's
    /// batch norms). Only meaningful with `trainable`.
    package var local = false

    /// Whether gradients and the optimizer change it: trainable, and not a statistic.
    package var optimized: Bool { self.trainable && !self.statistic }
    /// Whether it travels each round and is averaged: trainable and not local.
    package var travels: Bool { self.trainable && !self.local }
}

/// A model's parameters: one ordered map of name → tensor whose names and order match
/// the checkpoint, so loading, training, sending and aggregating walk the same keys.
///
/// Layers hold indices into the store, which keeps lookups out of the hot loop.
package struct ParameterStore: Sendable, Equatable {
    package private(set) var entries: [Parameter] = []
    private var indexByName: [String: Int] = [:]

    package init() {}

    /// Adds a parameter and returns its index; names must be unique.
    @discardableResult
    package mutating func add(_ name: String, _ value: Tensor, trainable: Bool = true, statistic: Bool = false) -> Int {
        precondition(self.indexByName[name] == nil, "duplicate parameter name \(name)")
        self.entries.append(Parameter(name: name, value: value, trainable: trainable, statistic: statistic))
        self.indexByName[name] = self.entries.count - 1
        return self.entries.count - 1
    }

    package var count: Int { self.entries.count }
    package var names: [String] { self.entries.map(\.name) }

    package func index(of name: String) -> Int? { self.indexByName[name] }

    package subscript(index: Int) -> Parameter {
        get { self.entries[index] }
        _modify { yield &self.entries[index] }
    }

    package subscript(name: String) -> Parameter? {
        self.indexByName[name].map { self.entries[$0] }
    }

    /// The values of the tensors kept at a site (FedBN's batch norms), by name.
    package func localValues() -> OrderedDictionary<String, Tensor> {
        var out: OrderedDictionary<String, Tensor> = [:]
        for entry in self.entries where entry.trainable && entry.local { out[entry.name] = entry.value }
        return out
    }

    /// Total number of scalars, and of trainable scalars.
    package var scalarCount: Int { self.entries.reduce(0) { $0 + $1.value.count } }
    package var trainableScalarCount: Int { self.entries.reduce(0) { $0 + ($1.trainable ? $1.value.count : 0) } }

    /// Sets every gradient to zero in place.
    package mutating func zeroGradients() {
        for i in self.entries.indices where self.entries[i].optimized {
            self.entries[i].grad.fill(0)
        }
    }

    /// The values as an ordered map (what a checkpoint holds); with `trainableOnly`, those
    /// that travel each round (trainable and not kept local).
    package func values(trainableOnly: Bool = false) -> OrderedDictionary<String, Tensor> {
        var out: OrderedDictionary<String, Tensor> = [:]
        for entry in self.entries where !trainableOnly || entry.travels {
            out[entry.name] = entry.value
        }
        return out
    }

    /// Replaces values by name. Every name must exist with the same shape; all
    /// disagreements are reported at once.
    package mutating func load(_ tensors: OrderedDictionary<String, Tensor>, requireAll: Bool, source: String) throws {
        var mismatch = TensorMismatch(source: source)
        for (name, tensor) in tensors {
            guard let index = self.indexByName[name] else {
                mismatch.unexpected.append(name)
                continue
            }
            if self.entries[index].value.shape != tensor.shape {
                mismatch.misshapen.append(
                    .init(name: name, expected: self.entries[index].value.shape, found: tensor.shape)
                )
            }
        }
        if requireAll {
            mismatch.missing = self.entries.map(\.name).filter { tensors[$0] == nil }
        }
        if !mismatch.isEmpty { throw ModelError.tensorsDisagree(mismatch) }
        for (name, tensor) in tensors {
            self.entries[self.indexByName[name]!].value = tensor
        }
    }

    /// Global L2 norm of the optimized gradients.
    package func gradientNorm() -> Float {
        var total: Double = 0
        for entry in self.entries where entry.optimized { total += entry.grad.squaredNorm() }
        return Float(total.squareRoot())
    }

    /// Scales the trainable gradients so their global L2 norm is at most `maxNorm`;
    /// returns the norm before clipping.
    @discardableResult
    package mutating func clipGradientNorm(_ maxNorm: Float) -> Float {
        let norm = self.gradientNorm()
        // `norm > maxNorm` is false for NaN, so a NaN gradient is never scaled into
        // something that looks finite; the trainer's loss check stops that step.
        if norm > maxNorm {
            let scale = maxNorm / norm
            for i in self.entries.indices where self.entries[i].optimized {
                self.entries[i].grad.scale(by: scale)
            }
        }
        return norm
    }
}
