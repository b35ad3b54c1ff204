/// The messages of a secure-aggregation round, as Codable values the coordinator and the
/// sites exchange over their (mutually authenticated) connection. None carries its sender's
/// name as a claim to be trusted: the coordinator takes the sender from the connection, and
/// names inside messages are checked against it.

/// Stage 1, site → coordinator: the site's two X25519 public keys and a commitment to its
/// self-mask seed, which lets the coordinator check the seed it later reconstructs.
package struct KeyAdvertisement: Codable, Sendable, Equatable {
    package var round: Int
    /// c_pk: the key others encrypt their shares for this site with (32 bytes).
    package var cipherPublicKey: [UInt8]
    /// s_pk: the key pairwise masks are agreed with (32 bytes).
    package var maskPublicKey: [UInt8]
    /// SHA-256(b_u) of the self-mask seed (32 bytes).
    package var selfMaskCommitment: [UInt8]

    package init(round: Int, cipherPublicKey: [UInt8], maskPublicKey: [UInt8], selfMaskCommitment: [UInt8]) {
        self.round = round
        self.cipherPublicKey = cipherPublicKey
        self.maskPublicKey = maskPublicKey
        self.selfMaskCommitment = selfMaskCommitment
    }
}

/// One site's advertisement as the coordinator forwards it, named by the coordinator.
package struct SiteKeys: Codable, Sendable, Equatable {
    package var site: String
    package var keys: KeyAdvertisement

    package init(site: String, keys: KeyAdvertisement) {
        self.site = site
        self.keys = keys
    }
}

/// Coordinator → site, opening stage 2: the keys of the site's neighbours that advertised.
package struct NeighbourKeys: Codable, Sendable, Equatable {
    package var round: Int
    package var neighbours: [SiteKeys]

    package init(round: Int, neighbours: [SiteKeys]) {
        self.round = round
        self.neighbours = neighbours
    }
}

/// Stage 2, site → coordinator → neighbour: the sender's shares of its self-mask seed and its
/// mask private key for one neighbour, sealed so only that neighbour can read them.
package struct EncryptedShares: Codable, Sendable, Equatable {
    package var round: Int
    package var sender: String
    package var receiver: String
    /// ChaCha20-Poly1305 combined box (nonce, ciphertext, tag) of the two shares.
    package var ciphertext: [UInt8]

    package init(round: Int, sender: String, receiver: String, ciphertext: [UInt8]) {
        self.round = round
        self.sender = sender
        self.receiver = receiver
        self.ciphertext = ciphertext
    }
}

/// Stage 3, site → coordinator: the quantised update plus masks, modulo 2³².
package struct MaskedInput: Codable, Sendable, Equatable {
    package var round: Int
    /// The neighbours whose pairwise masks are in the vector (those whose shares arrived),
    /// in configuration order; the coordinator checks them against what it routed.
    package var maskedWith: [String]
    /// y_u = x_u + PRG(b_u) + Σ ±PRG(s_uv) (mod 2³²), L values.
    package var vector: [UInt32]

    package init(round: Int, maskedWith: [String], vector: [UInt32]) {
        self.round = round
        self.maskedWith = maskedWith
        self.vector = vector
    }
}

/// Coordinator → survivor, opening stage 4: which of the site's share holdings to reveal.
/// `survivors` sent masked vectors (their self-mask seed shares are wanted); `dropped`
/// completed stage 2 but sent none (their mask key shares are wanted). A site never
/// answers with both shares of one site.
package struct UnmaskRequest: Codable, Sendable, Equatable {
    package var round: Int
    package var survivors: [String]
    package var dropped: [String]

    package init(round: Int, survivors: [String], dropped: [String]) {
        self.round = round
        self.survivors = survivors
        self.dropped = dropped
    }
}

/// One share a site holds of another site's secret.
package struct SiteShare: Codable, Sendable, Equatable {
    /// The site whose secret this is a share of.
    package var site: String
    package var share: ShamirShare

    package init(site: String, share: ShamirShare) {
        self.site = site
        self.share = share
    }
}

/// Stage 4, survivor → coordinator: shares of survivors' self-mask seeds and of dropped
/// sites' mask private keys, exactly as requested.
package struct UnmaskResponse: Codable, Sendable, Equatable {
    package var round: Int
    package var selfMaskShares: [SiteShare]
    package var maskKeyShares: [SiteShare]

    package init(round: Int, selfMaskShares: [SiteShare], maskKeyShares: [SiteShare]) {
        self.round = round
        self.selfMaskShares = selfMaskShares
        self.maskKeyShares = maskKeyShares
    }
}

/// A message the coordinator refused, with the site it came from (or is about) and why.
package struct SecAggRefusal: Sendable, Equatable, CustomStringConvertible {
    package var site: String
    package var stage: SecAggStage
    package var reason: SecAggError

    package init(site: String, stage: SecAggStage, reason: SecAggError) {
        self.site = site
        self.stage = stage
        self.reason = reason
    }

    package var description: String { self.reason.description }
}
