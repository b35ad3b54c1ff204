import Crypto
import FedSecAgg
import Testing

@Suite struct VerifiedReconstructionTests {
    let secret = (0..<32).map { UInt8($0) }

    func shares(threshold: Int, holders: Int) -> [(sender: String, share: ShamirShare)] {
        var generator = SplitMix64(seed: 3)
        let points = (1...holders).map { UInt32($0) }
        return ShamirSecretSharing.split(self.secret, threshold: threshold, points: points, using: &generator)
            .map { (sender: "site\($0.x)", share: $0) }
    }

    func check(_ candidate: [UInt8]) -> Bool {
        Array(SHA256.hash(data: candidate)) == Array(SHA256.hash(data: self.secret))
    }

    @Test func correctSharesNameNoSender() {
        let result = VerifiedReconstruction.reconstruct(
            self.shares(threshold: 3, holders: 5),
            threshold: 3,
            byteCount: 32,
            check: self.check
        )

        #expect(result == VerifiedSecret(secret: self.secret, badSenders: []))
    }

    @Test func aWrongShareIsLeftOutAndItsSenderNamed() {
        var shares = self.shares(threshold: 3, holders: 5)
        shares[2].share.values[4] = MersenneField.add(shares[2].share.values[4], 12345)

        let result = VerifiedReconstruction.reconstruct(shares, threshold: 3, byteCount: 32, check: self.check)

        #expect(result == VerifiedSecret(secret: self.secret, badSenders: ["site3"]))
    }

    @Test func twoWrongSharesAreBothNamed() {
        var shares = self.shares(threshold: 3, holders: 6)
        shares[0].share.values[0] = MersenneField.add(shares[0].share.values[0], 1)
        shares[4].share.values[1] = MersenneField.add(shares[4].share.values[1], 1)

        let result = VerifiedReconstruction.reconstruct(shares, threshold: 3, byteCount: 32, check: self.check)

        #expect(result == VerifiedSecret(secret: self.secret, badSenders: ["site1", "site5"]))
    }

    @Test func aWrongShareAmongExactlyThresholdCannotBeRepaired() {
        var shares = self.shares(threshold: 3, holders: 3)
        shares[1].share.values[0] = MersenneField.add(shares[1].share.values[0], 1)

        #expect(VerifiedReconstruction.reconstruct(shares, threshold: 3, byteCount: 32, check: self.check) == nil)
    }
}
