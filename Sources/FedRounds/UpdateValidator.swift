import FedTensor
import OrderedCollections

/// Checks an update's tensors against the model's trainable tensors before any number
/// of it is used: names, shapes, and every value finite. Non-finite values are caught
/// here, before clipping, because a NaN norm would slip through `min(1, c / norm)`.
package enum UpdateValidator {
    /// The first problem found, in a fixed order (names, then shapes, then values), or nil.
    package static func problem(
        in update: OrderedDictionary<String, Tensor>, spec: TensorSpec, examples: Int
    ) -> UpdateRejection? {
        guard examples > 0 else { return .invalidExampleCount(examples) }
        let expected = Set(spec.names)
        for name in update.keys where !expected.contains(name) { return .unexpectedTensor(name) }
        for entry in spec.entries {
            guard let tensor = update[entry.name] else { return .missingTensor(entry.name) }
            if tensor.shape != entry.shape {
                return .wrongShape(tensor: entry.name, expected: entry.shape, found: tensor.shape)
            }
        }
        for entry in spec.entries where !update[entry.name]!.isFinite { return .nonFinite(tensor: entry.name) }
        return nil
    }
}
