/// A secret rebuilt from shares that passed its check, and the senders whose shares did not
/// fit it.
package struct VerifiedSecret: Sendable, Equatable {
    package var secret: [UInt8]
    /// Senders whose shares were left out to make the check pass: their shares are wrong.
    package var badSenders: [String]

    package init(secret: [UInt8], badSenders: [String]) {
        self.secret = secret
        self.badSenders = badSenders
    }
}

/// Shamir reconstruction that tolerates wrong shares when more than the threshold arrived.
///
/// All shares are tried first. If the result fails `check` (SHA-256 of a self-mask seed
/// against its commitment, or a private key against its advertised public key), subsets
/// leaving out 1, 2, … shares are tried, smallest omission first, while at least `threshold`
/// shares remain. The first passing subset names the left-out senders. It is minimal, so
/// every left-out share is wrong: had one of them been right, a smaller omission would have
/// passed first (adding a correct point to correct points leaves the interpolation at 0
/// unchanged). The search stops after `attemptLimit` interpolations.
package enum VerifiedReconstruction {
    package static let attemptLimit = 4096

    /// The verified secret, or nil when no subset within the limit passes.
    package static func reconstruct(
        _ shares: [(sender: String, share: ShamirShare)],
        threshold: Int,
        byteCount: Int,
        check: ([UInt8]) -> Bool
    ) -> VerifiedSecret? {
        guard shares.count >= threshold else { return nil }
        var attempts = 0
        for omitted in 0...(shares.count - threshold) {
            var found: VerifiedSecret?
            self.forEachCombination(of: omitted, from: shares.count) { left in
                attempts += 1
                let kept = shares.indices.filter { !left.contains($0) }.map { shares[$0].share }
                if let secret = ShamirSecretSharing.combine(kept, byteCount: byteCount), check(secret) {
                    found = VerifiedSecret(secret: secret, badSenders: left.map { shares[$0].sender })
                    return false
                }
                return attempts < self.attemptLimit
            }
            if let found { return found }
            if attempts >= self.attemptLimit { return nil }
        }
        return nil
    }

    /// Calls `body` with each `size`-subset of 0..<count in lexicographic order until it returns false.
    private static func forEachCombination(of size: Int, from count: Int, _ body: ([Int]) -> Bool) {
        var indices = Array(0..<size)
        while true {
            if !body(indices) { return }
            // Advance the rightmost index that can still move right, then reset those after it.
            var position = size - 1
            while position >= 0 && indices[position] == count - size + position { position -= 1 }
            if position < 0 { return }
            indices[position] += 1
            for next in (position + 1)..<size { indices[next] = indices[next - 1] + 1 }
        }
    }
}
