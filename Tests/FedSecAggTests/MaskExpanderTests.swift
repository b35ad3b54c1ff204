import FedSecAgg
import Testing

@Suite struct MaskExpanderTests {
    let seedA = [UInt8](repeating: 1, count: 32)
    let seedB = [UInt8](repeating: 2, count: 32)

    @Test func expansionIsDeterministicAndDiffersPerSeed() {
        let first = MaskExpander.mask(seed: self.seedA, count: 100_000)
        let again = MaskExpander.mask(seed: self.seedA, count: 100_000)
        let other = MaskExpander.mask(seed: self.seedB, count: 100_000)

        #expect(first == again)
        #expect(zip(first, other).filter { $0 == $1 }.count < 3)
    }

    @Test func theMaskIsTheChaCha20KeystreamFromCounterOneWithTheBlockAsNonce() {
        // RFC 8439 A.1 test vector 2 (zero key, zero nonce, counter 1) starts the mask; block 1
        // (values 16,384 on) uses nonce 1. Reference values from Python's `cryptography` 48.0.0.
        let mask = MaskExpander.mask(seed: [UInt8](repeating: 0, count: 32), count: 16_385)

        #expect(Array(mask.prefix(4)) == [0xBEE7_079F, 0x7A38_5155, 0x7C97_BA98, 0x0D08_2D73])
        #expect(mask[16_383] == 0x25E4_645D)
        #expect(mask[16_384] == 0xEFF6_F046)
    }

    @Test func aShorterMaskIsAPrefixOfALongerOne() {
        let long = MaskExpander.mask(seed: self.seedA, count: 40_000)
        let short = MaskExpander.mask(seed: self.seedA, count: 17_000)

        #expect(Array(long.prefix(17_000)) == short)
    }

    @Test func plusThenMinusRestoresTheVector() {
        var vector = (0..<70_000).map { UInt32($0) }
        let original = vector

        MaskExpander.apply(seed: self.seedA, .plus, to: &vector)
        let masked = vector
        MaskExpander.apply(seed: self.seedA, .minus, to: &vector)

        #expect(masked != original)
        #expect(vector == original)
    }

    @Test func maskValuesLookUniform() {
        let mask = MaskExpander.mask(seed: self.seedB, count: 65_536)
        var buckets = [Int](repeating: 0, count: 16)
        for value in mask { buckets[Int(value >> 28)] += 1 }

        // 4096 expected per bucket; 6 standard deviations is about 380.
        #expect(buckets.allSatisfy { abs($0 - 4096) < 400 })
    }
}
