import FedTensor
import OrderedCollections

extension UpdateEncoder {
    /// `update` clipped to `clipNorm` (L2 over all its tensors; nil leaves it as it is), then
    /// encoded: a site compresses what the coordinator would have kept after clipping, so the
    /// error feedback carries what compression dropped, never what clipping did.
    package mutating func encode(
        _ update: OrderedDictionary<String, Tensor>,
        clippedTo clipNorm: Double?,
        using generator: inout some RandomNumberGenerator
    ) -> [UInt8] {
        guard let clipNorm else { return self.encode(update, using: &generator) }
        var squared = 0.0
        for tensor in update.values { for value in tensor.scalars { squared += Double(value) * Double(value) } }
        let norm = squared.squareRoot()
        guard norm > clipNorm else { return self.encode(update, using: &generator) }
        let scale = Float(clipNorm / norm)
        let clipped = update.mapValues { Tensor(shape: $0.shape, scalars: $0.scalars.map { $0 * scale }) }
        return self.encode(clipped, using: &generator)
    }
}
