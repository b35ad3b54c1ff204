import Crypto
import Foundation

/// One site's side of a secure-aggregation round: a state machine that takes the
/// coordinator's message for the next stage and returns the site's reply.
///
/// What the site reveals: its public keys; to each neighbour (encrypted), one Shamir share
/// of its self-mask seed b_u and one of its mask private key s_sk; to the coordinator, its
/// update under masks it cannot remove alone; and in stage 4, for each neighbour, either
/// the share of its seed (it survived) or of its mask key (it dropped), never both.
///
/// Keys and the seed come from the generator given to `init`: outside tests it must be a
/// cryptographically secure source such as `SystemRandomNumberGenerator`.
package struct SecAggSite: Sendable {
    package let name: String
    package let configuration: SecAggConfiguration
    /// The stage whose message this site produces next.
    package private(set) var stage: SecAggStage = .advertiseKeys

    private let index: Int
    /// Each site's position in the configuration (its Shamir point minus one).
    private let positions: [String: Int]
    private let neighbourIndices: Set<Int>
    private let cipherKey: Curve25519.KeyAgreement.PrivateKey
    private let maskKey: Curve25519.KeyAgreement.PrivateKey
    private let selfMaskSeed: [UInt8]
    /// Stage 2 on: the neighbours' advertised keys, by name.
    private var neighbourKeys: [String: KeyAdvertisement] = [:]
    /// Stage 2 on: the shares this site holds, its own and (stage 3 on) its neighbours', by owner.
    private var held: [String: HeldShares] = [:]
    /// Stage 3 on: the neighbours whose pairwise masks went into the masked input.
    private var maskedWith: Set<String> = []

    /// The two shares a site holds of one owner's secrets.
    private struct HeldShares: Sendable {
        var selfMask: ShamirShare
        var maskKey: ShamirShare
    }

    /// A site of the round `configuration` (validated here), drawing its keys and self-mask
    /// seed from `generator`.
    package init(
        name: String,
        configuration: SecAggConfiguration,
        using generator: inout some RandomNumberGenerator
    ) throws(SecAggError) {
        try configuration.validate()
        guard let index = configuration.sites.firstIndex(of: name) else {
            throw .unknownSite(site: name, stage: .advertiseKeys)
        }
        self.name = name
        self.configuration = configuration
        self.index = index
        self.positions = Dictionary(uniqueKeysWithValues: configuration.sites.enumerated().map { ($1, $0) })
        self.neighbourIndices = Set(configuration.graph.neighbours[index])
        self.cipherKey = PairwiseKeys.privateKey(using: &generator)
        self.maskKey = PairwiseKeys.privateKey(using: &generator)
        self.selfMaskSeed = PairwiseKeys.randomBytes(32, using: &generator)
    }

    /// Stage 1: the public keys and the commitment SHA-256(b_u).
    package mutating func advertiseKeys() -> KeyAdvertisement {
        if self.stage == .advertiseKeys { self.stage = .shareKeys }
        return self.advertisement
    }

    /// This site's stage-1 message.
    private var advertisement: KeyAdvertisement {
        KeyAdvertisement(
            round: self.configuration.round,
            cipherPublicKey: Array(self.cipherKey.publicKey.rawRepresentation),
            maskPublicKey: Array(self.maskKey.publicKey.rawRepresentation),
            selfMaskCommitment: Array(SHA256.hash(data: self.selfMaskSeed))
        )
    }

    /// Stage 2: shares b_u and s_sk t-of-(m + 1) among itself and the m neighbours listed,
    /// one sealed pair of shares per neighbour. Refuses non-neighbours, repeated or malformed
    /// keys, and fewer than t − 1 neighbours.
    package mutating func shareKeys(
        neighbours: NeighbourKeys,
        using generator: inout some RandomNumberGenerator
    ) throws(SecAggError) -> [EncryptedShares] {
        try self.expect(.shareKeys, round: neighbours.round)
        var keys: [String: KeyAdvertisement] = [:]
        var seenKeys: Set<[UInt8]> = [self.advertisement.cipherPublicKey, self.advertisement.maskPublicKey]
        for entry in neighbours.neighbours {
            guard let other = self.positions[entry.site] else {
                throw .unknownSite(site: entry.site, stage: .shareKeys)
            }
            guard self.neighbourIndices.contains(other), keys[entry.site] == nil else {
                throw .notANeighbour(site: self.name, other: entry.site, stage: .shareKeys)
            }
            try Self.checkKeys(entry, seen: &seenKeys)
            keys[entry.site] = entry.keys
        }
        guard keys.count + 1 >= self.configuration.threshold else {
            throw .tooFewSurvivors(
                site: self.name,
                stage: .shareKeys,
                available: keys.count + 1,
                threshold: self.configuration.threshold
            )
        }
        let holders = [self.name] + keys.keys.sorted { self.positions[$0]! < self.positions[$1]! }
        let points = holders.map { UInt32(self.positions[$0]! + 1) }
        let t = self.configuration.threshold
        let seedShares = ShamirSecretSharing.split(self.selfMaskSeed, threshold: t, points: points, using: &generator)
        let keyShares = ShamirSecretSharing.split(
            Array(self.maskKey.rawRepresentation),
            threshold: t,
            points: points,
            using: &generator
        )
        self.held = [self.name: HeldShares(selfMask: seedShares[0], maskKey: keyShares[0])]
        var out: [EncryptedShares] = []
        for position in 1..<holders.count {
            let receiver = holders[position]
            let plaintext = seedShares[position].bytes + keyShares[position].bytes
            guard let theirs = PairwiseKeys.publicKey(keys[receiver]!.cipherPublicKey),
                let sealed = try? PairwiseKeys.seal(
                    plaintext,
                    ours: self.cipherKey,
                    theirs: theirs,
                    sender: self.name,
                    receiver: receiver,
                    context: self.configuration.context,
                    using: &generator
                )
            else { throw .malformedKeys(site: receiver, detail: "its cipher key gives no shared secret") }
            out.append(
                EncryptedShares(
                    round: self.configuration.round,
                    sender: self.name,
                    receiver: receiver,
                    ciphertext: sealed
                )
            )
        }
        self.neighbourKeys = keys
        self.stage = .maskedInput
        return out
    }

    /// Stage 3: decrypts the shares routed to this site and returns
    /// y = x + PRG(b_u) + Σ_v ±PRG(s_uv) over the neighbours v whose shares arrived
    /// (+ when this site's point is below v's). Refuses a ciphertext that fails to decrypt,
    /// naming its sender, and gives up when fewer than t − 1 neighbours' shares arrived.
    package mutating func maskedInput(
        update: [UInt32],
        sharesReceived: [EncryptedShares]
    ) throws(SecAggError) -> MaskedInput {
        try self.expect(.maskedInput, round: sharesReceived.first?.round ?? self.configuration.round)
        let sites = self.configuration.sites
        guard update.count == self.configuration.vectorLength else {
            throw .wrongUpdateLength(site: self.name, length: update.count, expected: self.configuration.vectorLength)
        }
        var received: [String: HeldShares] = [:]
        let limbs = ShamirSecretSharing.limbs(forSecretBytes: 32)
        for message in sharesReceived {
            guard message.round == self.configuration.round else {
                throw .wrongRound(
                    site: message.sender,
                    stage: .maskedInput,
                    round: message.round,
                    expected: self.configuration.round
                )
            }
            guard message.receiver == self.name, let keys = self.neighbourKeys[message.sender],
                received[message.sender] == nil
            else { throw .notANeighbour(site: self.name, other: message.sender, stage: .maskedInput) }
            guard let theirs = PairwiseKeys.publicKey(keys.cipherPublicKey),
                let plaintext = PairwiseKeys.open(
                    message.ciphertext,
                    ours: self.cipherKey,
                    theirs: theirs,
                    sender: message.sender,
                    receiver: self.name,
                    context: self.configuration.context
                )
            else { throw .shareFailedToDecrypt(from: message.sender, to: self.name) }
            let half = plaintext.count / 2
            guard plaintext.count % 2 == 0,
                let seedShare = ShamirShare(bytes: plaintext[0..<half], limbs: limbs),
                let keyShare = ShamirShare(bytes: plaintext[half...], limbs: limbs),
                seedShare.x == UInt32(self.index + 1), keyShare.x == seedShare.x
            else {
                throw .malformedShares(
                    site: message.sender,
                    stage: .maskedInput,
                    detail: "the shares for '\(self.name)' are malformed"
                )
            }
            received[message.sender] = HeldShares(selfMask: seedShare, maskKey: keyShare)
        }
        guard received.count + 1 >= self.configuration.threshold else {
            throw .tooFewSurvivors(
                site: self.name,
                stage: .maskedInput,
                available: received.count + 1,
                threshold: self.configuration.threshold
            )
        }
        var vector = update
        MaskExpander.apply(seed: self.selfMaskSeed, .plus, to: &vector)
        for other in received.keys {
            let otherIndex = self.positions[other]!
            guard let theirs = PairwiseKeys.publicKey(self.neighbourKeys[other]!.maskPublicKey),
                let seed = try? PairwiseKeys.maskSeed(
                    ours: self.maskKey,
                    theirs: theirs,
                    lower: sites[min(self.index, otherIndex)],
                    higher: sites[max(self.index, otherIndex)],
                    context: self.configuration.context
                )
            else { throw .malformedKeys(site: other, detail: "its mask key gives no shared secret") }
            MaskExpander.apply(seed: seed, self.index < otherIndex ? .plus : .minus, to: &vector)
        }
        self.held.merge(received) { own, _ in own }
        self.maskedWith = Set(received.keys)
        self.stage = .unmask
        let order = received.keys.sorted { self.positions[$0]! < self.positions[$1]! }
        return MaskedInput(round: self.configuration.round, maskedWith: order, vector: vector)
    }

    /// Stage 4, answered once: the seed shares of the survivors and the key shares of the
    /// dropped sites named. Refuses a request naming one site in both lists, naming this site
    /// as dropped, or naming a site it holds no share of.
    package mutating func unmask(request: UnmaskRequest) throws(SecAggError) -> UnmaskResponse {
        try self.expect(.unmask, round: request.round)
        let survivors = Set(request.survivors)
        let dropped = Set(request.dropped)
        if let both = survivors.intersection(dropped).sorted().first {
            throw .bothSharesRequested(site: both, requester: self.name)
        }
        guard !dropped.contains(self.name) else { throw .unexpectedShare(site: self.name, about: self.name) }
        for other in survivors where self.held[other] == nil {
            throw .unexpectedShare(site: self.name, about: other)
        }
        for other in dropped where !self.maskedWith.contains(other) {
            throw .unexpectedShare(site: self.name, about: other)
        }
        // Past this point the site has chosen, for every site it names, which share it reveals;
        // finishing the stage makes a second request (perhaps with the other choice) fail.
        self.stage = .finished
        return UnmaskResponse(
            round: self.configuration.round,
            selfMaskShares: request.survivors.map { SiteShare(site: $0, share: self.held[$0]!.selfMask) },
            maskKeyShares: request.dropped.map { SiteShare(site: $0, share: self.held[$0]!.maskKey) }
        )
    }

    /// Throws unless the site is at `stage` and the message is for this round.
    private func expect(_ stage: SecAggStage, round: Int) throws(SecAggError) {
        guard self.stage == stage else { throw .outOfStage(site: self.name, stage: stage, current: self.stage) }
        guard round == self.configuration.round else {
            throw .wrongRound(site: self.name, stage: stage, round: round, expected: self.configuration.round)
        }
    }

    /// Refuses keys that are not 32-byte X25519 keys or repeat keys already seen in the round.
    private static func checkKeys(_ entry: SiteKeys, seen: inout Set<[UInt8]>) throws(SecAggError) {
        let keys = entry.keys
        guard PairwiseKeys.publicKey(keys.cipherPublicKey) != nil, PairwiseKeys.publicKey(keys.maskPublicKey) != nil,
            keys.selfMaskCommitment.count == 32
        else { throw .malformedKeys(site: entry.site, detail: "keys and commitment must be 32 bytes each") }
        guard seen.insert(keys.cipherPublicKey).inserted, seen.insert(keys.maskPublicKey).inserted else {
            throw .malformedKeys(site: entry.site, detail: "a public key repeats another site's or its own")
        }
    }
}
