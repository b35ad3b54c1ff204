import FedSecAgg
import Testing

@Suite struct ShamirSecretSharingTests {
    /// Every t-subset of `count` items (small counts only).
    static func subsets(of size: Int, from count: Int) -> [[Int]] {
        if size == 0 { return [[]] }
        if count < size { return [] }
        return subsets(of: size, from: count - 1) + subsets(of: size - 1, from: count - 1).map { $0 + [count - 1] }
    }

    @Test(arguments: [(2, 3), (3, 5), (4, 7), (5, 5)])
    func anyThresholdSharesReconstructTheSecret(threshold: Int, holders: Int) {
        var generator = SplitMix64(seed: UInt64(threshold * 100 + holders))
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let points = (1...holders).map { UInt32($0 * 3) }

        let shares = ShamirSecretSharing.split(secret, threshold: threshold, points: points, using: &generator)

        for subset in Self.subsets(of: threshold, from: holders) {
            #expect(ShamirSecretSharing.combine(subset.map { shares[$0] }, byteCount: 32) == secret)
        }
        #expect(ShamirSecretSharing.combine(shares, byteCount: 32) == secret)
    }

    @Test func fewerThanThresholdSharesDoNotGiveTheSecret() {
        var generator = SplitMix64(seed: 5)
        let secret = [UInt8](repeating: 0xAB, count: 32)
        let shares = ShamirSecretSharing.split(secret, threshold: 4, points: [1, 2, 3, 4, 5, 6], using: &generator)

        for subset in Self.subsets(of: 3, from: 6) {
            #expect(ShamirSecretSharing.combine(subset.map { shares[$0] }, byteCount: 32) != secret)
        }
    }

    @Test func sharesRoundTripThroughBytes() {
        var generator = SplitMix64(seed: 11)
        let shares = ShamirSecretSharing.split(
            [UInt8](repeating: 7, count: 32),
            threshold: 2,
            points: [1, 9],
            using: &generator
        )
        let limbs = ShamirSecretSharing.limbs(forSecretBytes: 32)

        let parsed = ShamirShare(bytes: shares[1].bytes[...], limbs: limbs)

        #expect(limbs == 5)
        #expect(parsed == shares[1])
        #expect(ShamirShare(bytes: shares[1].bytes.dropLast(), limbs: limbs) == nil)
    }

    @Test func secretsOfAnyLengthRoundTrip() {
        var generator = SplitMix64(seed: 12)
        for length in [1, 6, 7, 8, 31, 33] {
            let secret = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 255) }
            let shares = ShamirSecretSharing.split(secret, threshold: 3, points: [1, 2, 3, 4], using: &generator)
            #expect(ShamirSecretSharing.combine(Array(shares[1...]), byteCount: length) == secret)
        }
    }

    @Test func aWrongShareChangesTheSecret() {
        var generator = SplitMix64(seed: 13)
        let secret = [UInt8](repeating: 0x5A, count: 32)
        var shares = ShamirSecretSharing.split(secret, threshold: 3, points: [1, 2, 3], using: &generator)

        shares[1].values[0] = MersenneField.add(shares[1].values[0], 1)

        #expect(ShamirSecretSharing.combine(shares, byteCount: 32) != secret)
    }
}
