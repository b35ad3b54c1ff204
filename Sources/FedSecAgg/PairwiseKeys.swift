import Crypto
import Foundation

/// Key agreement between two sites (X25519 + HKDF-SHA256), used two ways: to encrypt one
/// site's shares for another (ChaCha20-Poly1305 under a key per sender, receiver and
/// round) and to derive the seed of their pairwise mask (the same for both directions).
package enum PairwiseKeys {
    /// The 32-byte raw X25519 public key, or nil when the bytes are not one.
    package static func publicKey(_ bytes: [UInt8]) -> Curve25519.KeyAgreement.PublicKey? {
        guard bytes.count == 32 else { return nil }
        return try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: bytes)
    }

    /// A private key from 32 bytes drawn from `generator`, which must be cryptographically
    /// secure outside tests (`SystemRandomNumberGenerator` is).
    package static func privateKey(
        using generator: inout some RandomNumberGenerator
    )
        -> Curve25519.KeyAgreement
        .PrivateKey
    {
        let bytes = self.randomBytes(32, using: &generator)
        // X25519 accepts every 32-byte string (it clamps internally), so this cannot fail.
        guard let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes) else {
            preconditionFailure("X25519 refused 32 random bytes as a private key")
        }
        return key
    }

    /// `count` bytes from `generator`.
    package static func randomBytes(_ count: Int, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 8)
        while bytes.count < count { withUnsafeBytes(of: generator.next()) { bytes += $0 } }
        return Array(bytes.prefix(count))
    }

    /// The 32-byte seed of the mask between `ours` and the peer's public key; both sites of the
    /// pair get the same seed because the info names the pair in the order of their points.
    package static func maskSeed(
        ours: Curve25519.KeyAgreement.PrivateKey,
        theirs: Curve25519.KeyAgreement.PublicKey,
        lower: String,
        higher: String,
        context: [UInt8]
    ) throws -> [UInt8] {
        let secret = try ours.sharedSecretFromKeyAgreement(with: theirs)
        let key = secret.hkdfDerivedSymmetricKey(
            using: SHA256.self,
            salt: Array("fedtune-secagg pairwise mask".utf8),
            sharedInfo: context + self.encode([lower, higher]),
            outputByteCount: 32
        )
        return key.withUnsafeBytes { Array($0) }
    }

    /// Seals `plaintext` from `sender` to `receiver`: key from X25519 + HKDF over the round's
    /// context and both names, the same bytes authenticated as associated data.
    package static func seal(
        _ plaintext: [UInt8],
        ours: Curve25519.KeyAgreement.PrivateKey,
        theirs: Curve25519.KeyAgreement.PublicKey,
        sender: String,
        receiver: String,
        context: [UInt8],
        using generator: inout some RandomNumberGenerator
    ) throws -> [UInt8] {
        let binding = context + self.encode([sender, receiver])
        let key = try self.shareKey(ours: ours, theirs: theirs, binding: binding)
        let nonce = try ChaChaPoly.Nonce(data: self.randomBytes(12, using: &generator))
        let box = try ChaChaPoly.seal(plaintext, using: key, nonce: nonce, authenticating: binding)
        return Array(box.combined)
    }

    /// Opens a ciphertext `seal` made from `sender` to `receiver`; nil when it fails to authenticate.
    package static func open(
        _ ciphertext: [UInt8],
        ours: Curve25519.KeyAgreement.PrivateKey,
        theirs: Curve25519.KeyAgreement.PublicKey,
        sender: String,
        receiver: String,
        context: [UInt8]
    ) -> [UInt8]? {
        let binding = context + self.encode([sender, receiver])
        guard let key = try? self.shareKey(ours: ours, theirs: theirs, binding: binding),
            let box = try? ChaChaPoly.SealedBox(combined: ciphertext),
            let plaintext = try? ChaChaPoly.open(box, using: key, authenticating: binding)
        else { return nil }
        return Array(plaintext)
    }

    /// Strings joined unambiguously: each as its UTF-8 length (8 bytes, little-endian) then its bytes.
    package static func encode(_ parts: [String]) -> [UInt8] {
        var out = [UInt8]()
        for part in parts {
            let bytes = Array(part.utf8)
            withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { out += $0 }
            out += bytes
        }
        return out
    }

    private static func shareKey(
        ours: Curve25519.KeyAgreement.PrivateKey,
        theirs: Curve25519.KeyAgreement.PublicKey,
        binding: [UInt8]
    ) throws -> SymmetricKey {
        let secret = try ours.sharedSecretFromKeyAgreement(with: theirs)
        return secret.hkdfDerivedSymmetricKey(
            using: SHA256.self,
            salt: Array("fedtune-secagg share encryption".utf8),
            sharedInfo: binding,
            outputByteCount: 32
        )
    }
}
