import FedSecAgg
import FedTensor
import OrderedCollections

/// How a site's update becomes the vector secure aggregation sums, and how the sum becomes
/// tensors again. Tensors go in name order (so a site and the coordinator agree whatever
/// order a blob listed them in), the update is clipped to the round's C on the site (the
/// coordinator never sees it to clip it), and, under adaptive clipping, C·[‖Δ‖ ≤ C] is
/// appended so the sum counts the unclipped updates.
package enum SecureVector {
    /// The vector length for a model with these trainable tensors.
    package static func length(_ spec: TensorSpec, countsUnclipped: Bool) -> Int {
        spec.scalarCount + (countsUnclipped ? 1 : 0)
    }

    /// A site's update, clipped and quantised for `setup`; throws when its tensors are not
    /// the round's (names, shapes) or hold a value that is not finite.
    package static func quantize(
        _ update: OrderedDictionary<String, Tensor>,
        spec: TensorSpec,
        setup: SecureSetup,
        using generator: inout some RandomNumberGenerator
    ) throws(UpdateRejection) -> [UInt32] {
        let squared = try UpdateValidator.squaredNorm(of: update, spec: spec, examples: 1)
        let norm = squared.squareRoot()
        let bound = Double(setup.configuration.quantizer.clipBound)
        let scale = norm > bound ? Float(bound / norm) : 1
        var flat: [Float] = []
        flat.reserveCapacity(Self.length(spec, countsUnclipped: setup.countsUnclipped))
        for entry in spec.entries.sorted(by: { $0.name < $1.name }) {
            flat += update[entry.name]!.scalars.map { $0 * scale }
        }
        if setup.countsUnclipped { flat.append(norm <= bound ? Float(bound) : 0) }
        do {
            return try setup.configuration.quantizer.quantize(flat, using: &generator)
        } catch {
            throw .nonFinite(tensor: "the clipped update (\(error))")
        }
    }

    /// The dequantised sum as tensors (in `spec`'s order), and the count of unclipped
    /// updates when the vector carries it.
    package static func split(
        _ sum: [Float],
        spec: TensorSpec,
        setup: SecureSetup
    ) -> (tensors: OrderedDictionary<String, Tensor>, unclipped: Int?) {
        var byName: [String: Tensor] = [:]
        var offset = 0
        for entry in spec.entries.sorted(by: { $0.name < $1.name }) {
            let count = entry.shape.reduce(1, *)
            byName[entry.name] = Tensor(shape: entry.shape, scalars: Array(sum[offset..<(offset + count)]))
            offset += count
        }
        var tensors: OrderedDictionary<String, Tensor> = [:]
        for entry in spec.entries { tensors[entry.name] = byName[entry.name] }
        let bound = Double(setup.configuration.quantizer.clipBound)
        let unclipped = setup.countsUnclipped ? Int((Double(sum[offset]) / bound).rounded()) : nil
        return (tensors, unclipped)
    }
}
