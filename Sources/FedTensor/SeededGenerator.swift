import Foundation

/// A seeded pseudo-random generator (xoshiro256**) whose whole state can be saved
/// and restored, so a run can be repeated exactly or resumed mid-way.
///
/// Every random source in fedtune (initialisation, shuffling, dropout, sampling)
/// draws from one of these, never from the system generator.
package struct SeededGenerator: RandomNumberGenerator, Sendable, Codable, Equatable {
    // Four words kept as separate properties (not an array) so `next()` touches no heap.
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// The four words of xoshiro256** state, to save and later pass to `init(state:)`.
    package var state: [UInt64] { [self.s0, self.s1, self.s2, self.s3] }

    /// A generator whose state is expanded from `seed` with SplitMix64, as the
    /// xoshiro authors recommend, so nearby seeds give unrelated streams.
    package init(seed: UInt64) {
        var mixer = seed
        self.s0 = SeededGenerator.splitMix64(&mixer)
        self.s1 = SeededGenerator.splitMix64(&mixer)
        self.s2 = SeededGenerator.splitMix64(&mixer)
        self.s3 = SeededGenerator.splitMix64(&mixer)
    }

    /// A generator resumed from a saved state.
    package init(state: [UInt64]) {
        precondition(state.count == 4 && state.contains { $0 != 0 }, "xoshiro256** needs 4 words, not all zero")
        (self.s0, self.s1, self.s2, self.s3) = (state[0], state[1], state[2], state[3])
    }

    package init(from decoder: any Decoder) throws {
        let words = try decoder.singleValueContainer().decode([UInt64].self)
        guard words.count == 4, words.contains(where: { $0 != 0 }) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "generator state needs 4 words, not all zero")
            )
        }
        self.init(state: words)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.state)
    }

    package mutating func next() -> UInt64 {
        let result = rotateLeft(self.s1 &* 5, 7) &* 9
        let t = self.s1 << 17
        self.s2 ^= self.s0
        self.s3 ^= self.s1
        self.s1 ^= self.s2
        self.s0 ^= self.s3
        self.s2 ^= t
        self.s3 = rotateLeft(self.s3, 45)
        return result
    }

    /// A uniform Float in [0, 1) from the top 24 bits.
    package mutating func nextUniform() -> Float {
        Float(self.next() >> 40) * 0x1p-24
    }

    /// A standard normal sample (Box–Muller; one of the pair is discarded to keep the
    /// state a pure function of the number of draws).
    package mutating func nextNormal() -> Float {
        let u1 = Double(self.next() >> 11) * 0x1p-53
        let u2 = Double(self.next() >> 11) * 0x1p-53
        let radius = (-2 * Foundation.log(Swift.max(u1, Double.leastNonzeroMagnitude))).squareRoot()
        return Float(radius * Foundation.cos(2 * Double.pi * u2))
    }

    /// A uniform integer in 0..<bound without modulo bias.
    package mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "nextIndex needs a positive bound")
        return Int(self.next(upperBound: UInt64(bound)))
    }

    /// Shuffles in place with Fisher–Yates; spelled out (rather than the standard
    /// library's `shuffle(using:)`) so the order is fixed across Swift versions.
    /// Indices only: a generic version is not specialised across modules and boxes
    /// every element it swaps.
    package mutating func shuffle(_ values: inout [Int]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            let j = self.nextIndex(below: i + 1)
            values.swapAt(i, j)
        }
    }

    private static func splitMix64(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@inline(__always)
private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
}

extension Tensor {
    /// A tensor of independent normal samples with the given standard deviation.
    package static func normal(shape: [Int], std: Float, using generator: inout SeededGenerator) -> Tensor {
        var t = Tensor(shape: shape)
        for i in 0..<t.count { t.scalars[i] = generator.nextNormal() * std }
        return t
    }

    /// A tensor of independent samples uniform in [-bound, bound).
    package static func uniform(shape: [Int], bound: Float, using generator: inout SeededGenerator) -> Tensor {
        var t = Tensor(shape: shape)
        for i in 0..<t.count { t.scalars[i] = (generator.nextUniform() * 2 - 1) * bound }
        return t
    }
}
