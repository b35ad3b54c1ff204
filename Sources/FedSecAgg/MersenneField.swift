/// Arithmetic modulo the Mersenne prime p = 2⁶¹ − 1, the field of `ShamirSecretSharing`.
///
/// Why this field: products fit `UInt64.multipliedFullWidth` and reduce with a shift and an
/// add (no tables, so no secret-indexed memory access, unlike GF(2⁸) log tables); any number
/// of sites has a distinct nonzero point (GF(2⁸) stops at 255); and it needs no `UInt128`,
/// which the standard library offers only from macOS 15 while the package targets macOS 14.
package enum MersenneField {
    /// p = 2⁶¹ − 1.
    package static let prime: UInt64 = (1 << 61) - 1

    /// (a + b) mod p, for a, b < p.
    @inline(__always)
    package static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let sum = a &+ b
        return sum >= self.prime ? sum &- self.prime : sum
    }

    /// (a − b) mod p, for a, b < p.
    @inline(__always)
    package static func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 {
        a >= b ? a &- b : a &+ self.prime &- b
    }

    /// (a · b) mod p, for a, b < p: 2⁶¹ ≡ 1, so the product's bits above 61 fold onto the rest.
    @inline(__always)
    package static func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        let folded = (low & self.prime) &+ ((low >> 61) | (high << 3))
        let reduced = (folded & self.prime) &+ (folded >> 61)
        return reduced >= self.prime ? reduced &- self.prime : reduced
    }

    /// a⁻¹ mod p by Fermat's little theorem (a^(p−2)); a must be nonzero.
    package static func inverse(_ a: UInt64) -> UInt64 {
        precondition(a % self.prime != 0, "zero has no inverse")
        var result: UInt64 = 1
        var base = a % self.prime
        var exponent = self.prime - 2
        while exponent > 0 {
            if exponent & 1 == 1 { result = self.multiply(result, base) }
            base = self.multiply(base, base)
            exponent >>= 1
        }
        return result
    }

    /// A uniform element of [0, p): 61 random bits, redrawn in the one case (all ones) that equals p.
    package static func random(using generator: inout some RandomNumberGenerator) -> UInt64 {
        while true {
            let candidate = generator.next() & self.prime
            if candidate != self.prime { return candidate }
        }
    }
}
