import FedLearning
import FedRounds
import FedTensor
import FedWire
import Foundation
import OrderedCollections

/// A site's update as it goes on the wire: dense F32 safetensors, or clipped and compressed as
/// the coordinator's `train` asks (fp16, bf16, int8, top-k with error feedback); the encoder
/// keeps top-k's residual from round to round while the connection lasts.
extension Site {
    func encodeUpdate(
        _ delta: OrderedDictionary<String, Tensor>,
        train: Message.Train,
        encoder: inout UpdateEncoder?
    ) throws -> [UInt8] {
        guard let asked = train.compression else {
            encoder = nil
            return Array(ModelPackage.encodeTrainable(delta))
        }
        let compression: UpdateCompression
        do {
            compression = try JSONDecoder().decode(UpdateCompression.self, from: JSONEncoder().encode(asked))
        } catch {
            throw SiteError.protocolViolation(detail: "round \(train.round)'s compression is not one this site knows")
        }
        if encoder?.compression != compression { encoder = UpdateEncoder(compression: compression) }
        var generator = SystemRandomNumberGenerator()
        return encoder!.encode(delta, clippedTo: train.clipNorm, using: &generator)
    }
}
