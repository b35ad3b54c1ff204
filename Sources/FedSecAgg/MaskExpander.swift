import FedSupport

/// The PRG of secure aggregation: a 32-byte seed expanded into a mask of UInt32 values
/// that is added to (or subtracted from) a vector modulo 2³², in place.
///
/// The stream is ChaCha20's keystream under the seed (`KeyStream`: what ChaCha20-Poly1305
/// seals over zeros, in 64 KiB blocks, block b under the nonce b), so no mask-sized buffer is
/// ever allocated. Each seed is used for one mask only (self-mask seeds are fresh per round,
/// pairwise seeds are derived per round and pair), so the fixed nonces never repeat under one
/// key.
package enum MaskExpander {
    /// Whether the mask is added or subtracted.
    package enum Sign: Sendable {
        case plus, minus
    }

    /// vector[i] ±= PRG(seed)[i] (mod 2³²) for every i.
    package static func apply(seed: [UInt8], _ sign: Sign, to vector: inout [UInt32]) {
        precondition(seed.count == 32, "mask seeds are 32 bytes")
        var stream = KeyStream(key: seed)
        let wordsPerBlock = KeyStream.blockBytes / 4
        var start = 0
        vector.withUnsafeMutableBufferPointer { output in
            while start < output.count {
                let count = min(wordsPerBlock, output.count - start)
                stream.withNextBytes(count * 4) { raw in
                    for index in 0..<count {
                        let word = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
                        switch sign {
                        case .plus: output[start + index] &+= word
                        case .minus: output[start + index] &-= word
                        }
                    }
                }
                start += count
            }
        }
    }

    /// The mask itself, PRG(seed) of `count` values (for tests and small vectors).
    package static func mask(seed: [UInt8], count: Int) -> [UInt32] {
        var vector = [UInt32](repeating: 0, count: count)
        self.apply(seed: seed, .plus, to: &vector)
        return vector
    }
}
