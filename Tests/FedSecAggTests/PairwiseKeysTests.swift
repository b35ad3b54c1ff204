import Crypto
import FedSecAgg
import Testing

@Suite struct PairwiseKeysTests {
    let context = SecAggFixtures.configuration(sites: 3, neighbours: 2, threshold: 2).context

    @Test func bothSitesOfAPairDeriveTheSameMaskSeed() throws {
        var generator = SplitMix64(seed: 1)
        let u = PairwiseKeys.privateKey(using: &generator)
        let v = PairwiseKeys.privateKey(using: &generator)

        let fromU = try PairwiseKeys.maskSeed(
            ours: u,
            theirs: v.publicKey,
            lower: "a",
            higher: "b",
            context: self.context
        )
        let fromV = try PairwiseKeys.maskSeed(
            ours: v,
            theirs: u.publicKey,
            lower: "a",
            higher: "b",
            context: self.context
        )
        let otherRound = try PairwiseKeys.maskSeed(
            ours: u,
            theirs: v.publicKey,
            lower: "a",
            higher: "b",
            context: SecAggFixtures.configuration(sites: 3, neighbours: 2, threshold: 2, round: 8).context
        )

        #expect(fromU == fromV)
        #expect(fromU.count == 32)
        #expect(fromU != otherRound)
    }

    @Test func sealedSharesOpenOnlyForTheirReceiverAndDirection() throws {
        var generator = SplitMix64(seed: 2)
        let u = PairwiseKeys.privateKey(using: &generator)
        let v = PairwiseKeys.privateKey(using: &generator)
        let plaintext = [UInt8](repeating: 9, count: 88)

        let sealed = try PairwiseKeys.seal(
            plaintext,
            ours: u,
            theirs: v.publicKey,
            sender: "u",
            receiver: "v",
            context: self.context,
            using: &generator
        )

        #expect(
            PairwiseKeys.open(sealed, ours: v, theirs: u.publicKey, sender: "u", receiver: "v", context: self.context)
                == plaintext
        )
        #expect(
            PairwiseKeys.open(sealed, ours: v, theirs: u.publicKey, sender: "v", receiver: "u", context: self.context)
                == nil
        )
        var tampered = sealed
        tampered[20] ^= 1
        #expect(
            PairwiseKeys.open(tampered, ours: v, theirs: u.publicKey, sender: "u", receiver: "v", context: self.context)
                == nil
        )
    }

    @Test func encodingIsUnambiguous() {
        #expect(PairwiseKeys.encode(["ab", "c"]) != PairwiseKeys.encode(["a", "bc"]))
    }
}
