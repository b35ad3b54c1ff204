/// One holder's share of a secret: the holder's point x (its site index, 1…n) and the
/// secret polynomials evaluated there, one field element per 7-byte limb of the secret.
package struct ShamirShare: Codable, Sendable, Equatable {
    package var x: UInt32
    package var values: [UInt64]

    package init(x: UInt32, values: [UInt64]) {
        self.x = x
        self.values = values
    }

    private enum CodingKeys: String, CodingKey { case x, values }

    /// In JSON the field elements (up to 2⁶¹) are decimal strings: many JSON readers hold
    /// numbers as doubles, which keep only 53 bits.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.x, forKey: .x)
        try container.encode(self.values.map(String.init), forKey: .values)
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.x = try container.decode(UInt32.self, forKey: .x)
        let strings = try container.decode([String].self, forKey: .values)
        self.values = try strings.map { text in
            guard let value = UInt64(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .values, in: container, debugDescription: "'\(text.prefix(30))' is not a field element")
            }
            return value
        }
    }

    /// Bytes on the wire inside a ciphertext: x then each value, little-endian.
    package var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(4 + 8 * self.values.count)
        withUnsafeBytes(of: self.x.littleEndian) { out += $0 }
        for value in self.values { withUnsafeBytes(of: value.littleEndian) { out += $0 } }
        return out
    }

    /// Parses `bytes`; nil unless they hold exactly `limbs` values, each below p.
    package init?(bytes: ArraySlice<UInt8>, limbs: Int) {
        guard bytes.count == 4 + 8 * limbs else { return nil }
        let start = bytes.startIndex
        func word<T: FixedWidthInteger>(_ offset: Int, _ type: T.Type) -> T {
            var value = T.zero
            for index in 0..<(T.bitWidth / 8) { value |= T(bytes[start + offset + index]) << (8 * index) }
            return value
        }
        self.x = word(0, UInt32.self)
        self.values = (0..<limbs).map { word(4 + 8 * $0, UInt64.self) }
        guard self.x != 0, self.values.allSatisfy({ $0 < MersenneField.prime }) else { return nil }
    }
}

/// Shamir's t-of-m secret sharing of byte strings over GF(2⁶¹ − 1) (see `MersenneField`
/// for why that field). The secret is cut into 7-byte limbs (56 bits < 61); each limb is
/// the constant term of its own random polynomial of degree t − 1, and holder x receives
/// every polynomial's value at x. Any t shares give the secret by Lagrange interpolation at
/// 0; t − 1 shares are uniformly distributed whatever the secret, so they reveal nothing.
package enum ShamirSecretSharing {
    /// Bytes per limb: the largest whole number of bytes below 61 bits.
    package static let limbBytes = 7

    /// Field elements per share of a secret of `byteCount` bytes.
    package static func limbs(forSecretBytes byteCount: Int) -> Int {
        (byteCount + self.limbBytes - 1) / self.limbBytes
    }

    /// Splits `secret` into one share per point in `points` (distinct, nonzero), any
    /// `threshold` of which reconstruct it. The coefficients come from `generator`, which
    /// must be a cryptographically secure source outside tests.
    package static func split(
        _ secret: [UInt8],
        threshold: Int,
        points: [UInt32],
        using generator: inout some RandomNumberGenerator
    ) -> [ShamirShare] {
        precondition(threshold >= 1 && threshold <= points.count, "threshold must be in 1…points")
        precondition(Set(points).count == points.count && !points.contains(0), "points must be distinct, nonzero")
        let limbCount = self.limbs(forSecretBytes: secret.count)
        var shares = points.map { ShamirShare(x: $0, values: []) }
        for limb in 0..<limbCount {
            // coefficients[0] is the secret limb; the others are uniform in the field.
            var coefficients = [self.limbValue(secret, limb)]
            for _ in 1..<threshold { coefficients.append(MersenneField.random(using: &generator)) }
            for index in shares.indices {
                shares[index].values.append(self.evaluate(coefficients, at: UInt64(shares[index].x)))
            }
        }
        return shares
    }

    /// The secret of `byteCount` bytes interpolated from `shares` (distinct points, at least
    /// the threshold used to split). Returns nil when the shares are malformed or interpolate
    /// to a value that cannot be a secret (a limb beyond its byte width): that happens when a
    /// share is wrong. A wrong share can also give a well-formed but wrong secret, so callers
    /// check the result against a commitment.
    package static func combine(_ shares: [ShamirShare], byteCount: Int) -> [UInt8]? {
        let limbCount = self.limbs(forSecretBytes: byteCount)
        let points = shares.map { UInt64($0.x) }
        guard !shares.isEmpty, Set(points).count == points.count, !points.contains(0),
            shares.allSatisfy({ $0.values.count == limbCount && $0.values.allSatisfy { $0 < MersenneField.prime } })
        else { return nil }
        let weights = self.lagrangeWeightsAtZero(points)
        var secret = [UInt8]()
        secret.reserveCapacity(byteCount)
        for limb in 0..<limbCount {
            var value: UInt64 = 0
            for (share, weight) in zip(shares, weights) {
                value = MersenneField.add(value, MersenneField.multiply(share.values[limb], weight))
            }
            let width = min(self.limbBytes, byteCount - limb * self.limbBytes)
            guard value >> (8 * width) == 0 else { return nil }
            for byte in 0..<width { secret.append(UInt8(truncatingIfNeeded: value >> (8 * byte))) }
        }
        return secret
    }

    /// Limb `limb` of `secret`: up to 7 bytes, little-endian.
    private static func limbValue(_ secret: [UInt8], _ limb: Int) -> UInt64 {
        let start = limb * self.limbBytes
        let end = min(start + self.limbBytes, secret.count)
        var value: UInt64 = 0
        for (offset, byte) in secret[start..<end].enumerated() { value |= UInt64(byte) << (8 * offset) }
        return value
    }

    /// The polynomial with `coefficients` (constant first) at x, by Horner's rule.
    private static func evaluate(_ coefficients: [UInt64], at x: UInt64) -> UInt64 {
        coefficients.reversed().reduce(0) { MersenneField.add(MersenneField.multiply($0, x), $1) }
    }

    /// λᵢ = Πⱼ≠ᵢ xⱼ / (xⱼ − xᵢ): the weights that interpolate a polynomial's value at 0.
    private static func lagrangeWeightsAtZero(_ points: [UInt64]) -> [UInt64] {
        points.indices.map { i in
            var numerator: UInt64 = 1
            var denominator: UInt64 = 1
            for j in points.indices where j != i {
                numerator = MersenneField.multiply(numerator, points[j])
                denominator = MersenneField.multiply(denominator, MersenneField.subtract(points[j], points[i]))
            }
            return MersenneField.multiply(numerator, MersenneField.inverse(denominator))
        }
    }
}
