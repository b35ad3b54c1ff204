import Crypto
import Foundation

/// The PRG of secure aggregation: a 32-byte seed expanded into a mask of UInt32 values
/// that is added to (or subtracted from) a vector modulo 2³², in place.
///
/// The stream is ChaCha20's keystream under the seed: what ChaCha20-Poly1305 seals over
/// zeros (the tag is dropped). It is produced in 64 KiB blocks, block b under the nonce b
/// (little-endian), so no mask-sized buffer is ever allocated. Each seed is used for one
/// mask only (self-mask seeds are fresh per round, pairwise seeds are derived per round and
/// pair), so the fixed nonces never repeat under one key.
package enum MaskExpander {
    /// Bytes per keystream block.
    package static let blockBytes = 65_536
    private static let zeros = [UInt8](repeating: 0, count: blockBytes)

    /// Whether the mask is added or subtracted.
    package enum Sign: Sendable {
        case plus, minus
    }

    /// vector[i] ±= PRG(seed)[i] (mod 2³²) for every i.
    package static func apply(seed: [UInt8], _ sign: Sign, to vector: inout [UInt32]) {
        precondition(seed.count == 32, "mask seeds are 32 bytes")
        let key = SymmetricKey(data: seed)
        let wordsPerBlock = self.blockBytes / 4
        var block: UInt64 = 0
        var start = 0
        vector.withUnsafeMutableBufferPointer { output in
            while start < output.count {
                let count = min(wordsPerBlock, output.count - start)
                let stream = self.keystream(key: key, block: block, bytes: count * 4)
                stream.withUnsafeBytes { raw in
                    for index in 0..<count {
                        let word = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
                        switch sign {
                        case .plus: output[start + index] &+= word
                        case .minus: output[start + index] &-= word
                        }
                    }
                }
                start += count
                block += 1
            }
        }
    }

    /// The mask itself, PRG(seed) of `count` values (for tests and small vectors).
    package static func mask(seed: [UInt8], count: Int) -> [UInt32] {
        var vector = [UInt32](repeating: 0, count: count)
        self.apply(seed: seed, .plus, to: &vector)
        return vector
    }

    /// `bytes` of ChaCha20 keystream (at most one block) under `key` and nonce `block`.
    private static func keystream(key: SymmetricKey, block: UInt64, bytes: Int) -> Data {
        var nonceBytes = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: block.littleEndian) { nonceBytes.replaceSubrange(0..<8, with: $0) }
        // Sealing cannot fail for a 32-byte key and 12-byte nonce; the fallback keeps
        // `try!` out of Sources.
        guard let nonce = try? ChaChaPoly.Nonce(data: nonceBytes),
            let sealed = try? ChaChaPoly.seal(self.zeros[0..<bytes], using: key, nonce: nonce)
        else { preconditionFailure("ChaCha20-Poly1305 refused a 32-byte key and a 12-byte nonce") }
        return sealed.ciphertext
    }
}
