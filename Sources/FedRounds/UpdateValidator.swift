import FedTensor
import OrderedCollections

/// Checks an update's tensors against the model's trainable tensors before any number
/// of it is used: names, shapes, and every value finite. Non-finite values are caught
/// here, before clipping, because a NaN norm would slip through `min(1, c / norm)`.
package enum UpdateValidator {
    /// The largest example count one update may claim (2³¹): sums of many sites' counts
    /// stay far from overflow, and no weight can swamp the running sum.
    package static let maximumExamples = 1 << 31

    /// The first problem found, in a fixed order (names, then shapes, then values), or nil.
    package static func problem(
        in update: OrderedDictionary<String, Tensor>,
        spec: TensorSpec,
        examples: Int
    ) -> UpdateRejection? {
        do {
            _ = try self.squaredNorm(of: update, spec: spec, examples: examples)
            return nil
        } catch {
            return error
        }
    }

    /// ‖update‖² over all its tensors once the update is valid; otherwise throws the first
    /// problem, in the order of `problem(in:spec:examples:)`. Finiteness and the norm come
    /// from one pass over each tensor, as a model-sized update is too large for the cache.
    package static func squaredNorm(
        of update: OrderedDictionary<String, Tensor>,
        spec: TensorSpec,
        examples: Int
    ) throws(UpdateRejection) -> Double {
        guard examples > 0, examples <= UpdateValidator.maximumExamples else { throw .invalidExampleCount(examples) }
        let expected = Set(spec.names)
        for name in update.keys where !expected.contains(name) { throw .unexpectedTensor(name) }
        for entry in spec.entries {
            guard let tensor = update[entry.name] else { throw .missingTensor(entry.name) }
            if tensor.shape != entry.shape {
                throw .wrongShape(tensor: entry.name, expected: entry.shape, found: tensor.shape)
            }
        }
        var total: Double = 0
        for entry in spec.entries {
            guard let squared = update[entry.name]!.finiteSquaredNorm() else { throw .nonFinite(tensor: entry.name) }
            total += squared
        }
        return total
    }
}
