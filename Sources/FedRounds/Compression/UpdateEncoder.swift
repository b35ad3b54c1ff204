import FedTensor
import OrderedCollections

/// A site's update compressor: turns a clipped update into the safetensors bytes it sends,
/// in the layout `CompressedUpdateFormat` describes.
///
/// With top-k it keeps the error-feedback residual between rounds: the part of
/// (update + residual) that was not sent becomes the next residual, so every coordinate is
/// sent eventually and the sum of what arrives tracks the sum of the updates (Stich et al.
/// 2018, "Sparsified SGD with Memory"; Karimireddy et al. 2019, "Error Feedback Fixes
/// SignSGD"). The residual lives in the site's memory only; a restarted site starts at zero.
/// int8 needs no residual, as its stochastic rounding is unbiased; fp16 and bf16 round to
/// nearest with errors far below the training noise.
package struct UpdateEncoder: Sendable {
    package let compression: UpdateCompression
    /// What top-k has not sent yet, per tensor (empty for the other codecs).
    package private(set) var residual: OrderedDictionary<String, Tensor>

    /// An encoder with no residual, or resuming `residual` (e.g. from a checkpoint).
    package init(compression: UpdateCompression, residual: OrderedDictionary<String, Tensor> = [:]) {
        self.compression = compression
        self.residual = residual
    }

    /// ‖residual‖₂ over all tensors.
    package var residualNorm: Double {
        self.residual.values.reduce(0) { $0 + $1.squaredNorm() }.squareRoot()
    }

    /// The bytes of `update` (already clipped) under this codec. A NaN or infinite value is
    /// carried as one (int8: as a NaN scale), so the coordinator refuses the update.
    /// Stochastic rounding (int8) draws from `generator`: one draw per tensor seeds a
    /// local generator, so the result depends only on the caller's generator state.
    package mutating func encode(
        _ update: OrderedDictionary<String, Tensor>,
        using generator: inout some RandomNumberGenerator
    ) -> [UInt8] {
        var writer = SafetensorsWriter(metadata: [CompressedUpdateFormat.codecKey: self.compression.name])
        switch self.compression {
        case .none:
            for (name, tensor) in update { writer.append(name, shape: tensor.shape, .float(tensor.scalars, .f32)) }
        case .fp16:
            for (name, tensor) in update {
                writer.append(name, shape: tensor.shape, .float(Self.clamped(tensor.scalars, to: 65504), .f16))
            }
        case .bf16:
            // The largest finite bfloat16 (0x7F7F); a Float32 above it would round to infinity.
            let largest = HalfPrecision.float(fromBFloat16: 0x7F7F)
            for (name, tensor) in update {
                writer.append(name, shape: tensor.shape, .float(Self.clamped(tensor.scalars, to: largest), .bf16))
            }
        case .int8:
            for (name, tensor) in update {
                var local = SeededGenerator(seed: generator.next())
                let (codes, scale) = Int8Quantizer.quantize(tensor.scalars, using: &local)
                writer.append(name, shape: tensor.shape, .int8(codes))
                writer.append(CompressedUpdateFormat.scaleName(name), shape: [], .float([scale], .f32))
            }
        case .topK(let fraction):
            writer.metadata[CompressedUpdateFormat.topKFractionKey] = "\(fraction)"
            self.encodeTopK(update, fraction: fraction, into: &writer)
        }
        return writer.encoded()
    }

    /// Sends the k largest |update + residual| of each tensor and keeps the rest as the
    /// residual. A tensor whose shape changed since the last round starts with no residual,
    /// and residuals of tensors no longer in the update are dropped.
    private mutating func encodeTopK(
        _ update: OrderedDictionary<String, Tensor>,
        fraction: Double,
        into writer: inout SafetensorsWriter
    ) {
        var next = OrderedDictionary<String, Tensor>()
        for (name, tensor) in update {
            precondition(tensor.count <= Int(Int32.max), "tensor '\(name)' is too large for int32 indices")
            var accumulated = tensor
            if let carried = self.residual[name], carried.shape == tensor.shape { accumulated.add(carried) }
            let k = UpdateCompression.topKCount(fraction: fraction, of: tensor.count)
            let indices = TopKSelection.largestMagnitudes(accumulated.scalars, count: k)
            // What is sent leaves the accumulator; what stays is the next residual.
            let values = accumulated.scalars.withUnsafeMutableBufferPointer { scalars in
                indices.map { index in
                    defer { scalars[Int(index)] = 0 }
                    return scalars[Int(index)]
                }
            }
            writer.metadata[CompressedUpdateFormat.shapeKey(name)] = CompressedUpdateFormat.shapeText(tensor.shape)
            writer.append(CompressedUpdateFormat.indicesName(name), shape: [indices.count], .int32(indices))
            writer.append(CompressedUpdateFormat.valuesName(name), shape: [values.count], .float(values, .f32))
            next[name] = accumulated
        }
        self.residual = next
    }

    /// `values` with every finite element limited to ±`largest`, so narrowing cannot overflow
    /// to infinity; NaN and infinities pass unchanged for the coordinator to refuse.
    private static func clamped(_ values: [Float], to largest: Float) -> [Float] {
        values.map { $0.isFinite ? Swift.min(Swift.max($0, -largest), largest) : $0 }
    }
}
