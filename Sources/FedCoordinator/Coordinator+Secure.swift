import FedRounds
import FedSecAgg
import FedWire
import NIOCore

/// A site's secure-aggregation messages as events for the core. A body that cannot be read
/// fails the site for its round (`updateUnreadable`); it never stops the coordinator.
extension Coordinator {
    /// A `secure` step from `site`: its keys, its encrypted shares, or its unmasking shares.
    nonisolated static func secureEvent(_ step: Message.Secure, from site: String) -> FederationCore.Event {
        do {
            switch Message.Secure.Stage(rawValue: step.stage) {
            case .keys:
                return .secureKeys(site: site, round: step.round, try step.decode(KeyAdvertisement.self))
            case .shares:
                return .secureShares(site: site, round: step.round, try step.decode([EncryptedShares].self))
            case .unmasked:
                return .secureUnmasked(site: site, round: step.round, try step.decode(UnmaskResponse.self))
            default:
                return .updateUnreadable(
                    site: site, round: step.round,
                    reason: "a site cannot send the secure-aggregation step '\(step.stage.prefix(40))'")
            }
        } catch {
            return .updateUnreadable(
                site: site, round: step.round,
                reason: "its secure-aggregation step '\(step.stage.prefix(40))' could not be read: \(error)")
        }
    }

    /// A masked update: the blob holds the masked vector, 32-bit little-endian values.
    nonisolated static func maskedUpdate(_ update: Message.Update, blob: ByteBuffer, from site: String)
        -> FederationCore.Event
    {
        guard blob.readableBytes % 4 == 0 else {
            return .updateUnreadable(
                site: site, round: update.round,
                reason: "a masked update of \(blob.readableBytes) bytes is not a whole number of 32-bit values")
        }
        var vector = [UInt32](repeating: 0, count: blob.readableBytes / 4)
        blob.withUnsafeReadableBytes { raw in
            for index in vector.indices {
                vector[index] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
            }
        }
        let masked = MaskedInput(round: update.round, maskedWith: update.maskedWith ?? [], vector: vector)
        return .maskedUpdateReceived(
            site: site, round: update.round,
            MaskedUpdate(examples: update.examples, metrics: update.metrics, masked: masked, bytes: blob.readableBytes))
    }
}
