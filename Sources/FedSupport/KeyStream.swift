import Crypto
import Foundation

/// A ChaCha20 keystream: a 32-byte key expanded into as many pseudo-random bytes as asked,
/// in 64 KiB blocks, each under its own nonce (the block's index). Whoever lacks the key
/// cannot predict a byte of it, so it serves where a seeded generator must also be secret:
/// the Gaussian noise of differential privacy, and the masks of secure aggregation.
///
/// The keystream is what ChaCha20-Poly1305 seals over zeros (the tag is dropped), so it is
/// BoringSSL's ChaCha20 through swift-crypto: about a gigabyte a second on one core.
package struct KeyStream: Sendable {
    private let key: SymmetricKey
    private var block: UInt64 = 0
    private var buffer: [UInt8] = []
    private var position = 0
    /// Bytes per block: each block is sealed under its own nonce (the block's index).
    package static let blockBytes = 65_536
    private static let zeros = [UInt8](repeating: 0, count: blockBytes)

    /// A stream keyed by 32 bytes (longer or shorter material is hashed to 32 first).
    package init(key material: some DataProtocol) {
        let bytes = Array(material)
        self.key = SymmetricKey(data: bytes.count == 32 ? bytes : Array(SHA256.hash(data: bytes)))
    }

    /// A stream keyed by SHA-256 of the parts joined with their lengths, e.g. a secret seed,
    /// a purpose and a round: different parts always give unrelated streams.
    package init(deriving parts: [[UInt8]]) {
        var hasher = SHA256()
        for part in parts {
            withUnsafeBytes(of: UInt64(part.count).littleEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: part)
        }
        self.init(key: Array(hasher.finalize()))
    }

    /// The next `count` bytes.
    package mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count {
            if self.position == self.buffer.count { self.refill() }
            let take = Swift.min(count - out.count, self.buffer.count - self.position)
            out += self.buffer[self.position..<(self.position + take)]
            self.position += take
        }
        return out
    }

    /// The next 64 bits, little-endian.
    package mutating func next() -> UInt64 {
        if self.buffer.count - self.position < 8 {
            let rest = self.bytes(8)
            return rest.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian }
        }
        let value = self.buffer.withUnsafeBytes {
            $0.loadUnaligned(fromByteOffset: self.position, as: UInt64.self).littleEndian
        }
        self.position += 8
        return value
    }

    /// Fills `out` with the next `out.count` 32-bit words, little-endian.
    package mutating func fill(_ out: inout [UInt32]) {
        var index = 0
        while index < out.count {
            if self.buffer.count - self.position < 4 { self.refillKeepingRest() }
            let words = Swift.min(out.count - index, (self.buffer.count - self.position) / 4)
            self.buffer.withUnsafeBytes { raw in
                out.withUnsafeMutableBufferPointer { target in
                    for k in 0..<words {
                        target[index + k] = raw.loadUnaligned(fromByteOffset: self.position + 4 * k, as: UInt32.self)
                            .littleEndian
                    }
                }
            }
            index += words
            self.position += 4 * words
        }
    }

    /// Hands `body` the next `count` bytes (at most a block) in place, without copying them
    /// out: the fast path for masks as long as a model.
    package mutating func withNextBytes<T>(_ count: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        precondition(count <= Self.blockBytes, "at most one block at a time")
        if self.buffer.count - self.position < count { self.refillKeepingRest() }
        defer { self.position += count }
        return self.buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[self.position..<(self.position + count)])) }
    }

    private mutating func refill() {
        var nonceBytes = [UInt8](repeating: 0, count: 12)
        withUnsafeBytes(of: self.block.littleEndian) { nonceBytes.replaceSubrange(0..<8, with: $0) }
        self.block += 1
        // A 12-byte nonce and a 32-byte key are always valid: sealing cannot fail.
        guard let nonce = try? ChaChaPoly.Nonce(data: nonceBytes),
            let box = try? ChaChaPoly.seal(Self.zeros, using: self.key, nonce: nonce)
        else { preconditionFailure("ChaCha20-Poly1305 refused a 32-byte key and a 12-byte nonce") }
        self.buffer = Array(box.ciphertext)
        self.position = 0
    }

    /// Refills, keeping the bytes not yet used in front of the new block.
    private mutating func refillKeepingRest() {
        let rest = Array(self.buffer[self.position...])
        self.refill()
        self.buffer = rest + self.buffer
    }
}
