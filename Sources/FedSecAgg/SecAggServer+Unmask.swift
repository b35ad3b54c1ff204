import Crypto
import Foundation

extension SecAggServer {
    /// Closes stage 3 and opens stage 4: for each survivor still connected, which shares to
    /// return. Each site it holds shares of is named exactly once, as a survivor (sent a
    /// masked vector: its self-mask seed share is wanted) or as dropped (completed stage 2
    /// but sent none: its mask key share is wanted), so no request can ask for both.
    /// Throws when fewer than t sites survived or some secret has fewer than t holders left.
    package mutating func unmaskRequests() throws(SecAggError) -> [String: UnmaskRequest] {
        try self.close(.maskedInput)
        let t = self.configuration.threshold
        guard self.survivors.count >= t else {
            self.stage = .finished
            throw .roundAbandoned(stage: .unmask, sites: self.survivors.count, threshold: t)
        }
        let responders = self.survivors.subtracting(self.droppedSites)
        for owner in self.maskPartners.keys.sorted() {
            let partners = self.maskPartners[owner] ?? []
            let needed = self.survivors.contains(owner) || partners.contains { self.survivors.contains($0) }
            let holders = (self.survivors.contains(owner) ? [owner] : []) + partners
            let available = holders.filter { responders.contains($0) }.count
            if needed && available < t {
                self.stage = .finished
                throw .tooFewSurvivors(
                    site: self.configuration.sites[owner],
                    stage: .unmask,
                    available: available,
                    threshold: t
                )
            }
        }
        var out: [String: UnmaskRequest] = [:]
        for responder in responders.sorted() {
            var survivors: [String] = []
            var dropped: [String] = []
            // One decision per held secret: the site goes to exactly one of the two lists.
            for owner in ([responder] + (self.maskPartners[responder] ?? [])).sorted() {
                let name = self.configuration.sites[owner]
                if self.survivors.contains(owner) { survivors.append(name) } else { dropped.append(name) }
            }
            let request = UnmaskRequest(round: self.configuration.round, survivors: survivors, dropped: dropped)
            self.requests[responder] = request
            out[self.configuration.sites[responder]] = request
        }
        self.stage = .unmask
        return out
    }

    /// Stage 4: records a survivor's shares, which must answer its request exactly.
    package mutating func receive(unmask response: UnmaskResponse, from site: String) throws(SecAggError) {
        try self.recording(site, .unmask) { server throws(SecAggError) in
            try server.accept(unmask: response, from: site)
        }
    }

    private mutating func accept(unmask response: UnmaskResponse, from site: String) throws(SecAggError) {
        let index = try self.accept(from: site, stage: .unmask, round: response.round)
        guard let request = self.requests[index] else { throw .notAsked(site: site) }
        guard !self.answered.contains(index) else { throw .duplicateMessage(site: site, stage: .unmask) }
        let seedOwners = response.selfMaskShares.map(\.site)
        let keyOwners = response.maskKeyShares.map(\.site)
        guard seedOwners == request.survivors, keyOwners == request.dropped else {
            let asked = Set(request.survivors + request.dropped)
            let extra = (seedOwners + keyOwners).first { !asked.contains($0) } ?? site
            throw .unexpectedShare(site: site, about: extra)
        }
        let limbs = ShamirSecretSharing.limbs(forSecretBytes: 32)
        for entry in response.selfMaskShares + response.maskKeyShares {
            guard entry.share.x == UInt32(index + 1), entry.share.values.count == limbs else {
                throw .malformedShares(site: site, stage: .unmask, detail: "its share of '\(entry.site)' is malformed")
            }
        }
        for entry in response.selfMaskShares {
            self.selfMaskShares[self.positions[entry.site]!, default: []].append((site, entry.share))
        }
        for entry in response.maskKeyShares {
            self.maskKeyShares[self.positions[entry.site]!, default: []].append((site, entry.share))
        }
        self.answered.insert(index)
    }

    /// Closes stage 4 and returns Σ x_u over the survivors (mod 2³²): reconstructs each
    /// survivor's self-mask seed and removes its mask, and each dropped site's mask key and
    /// removes the pairwise masks it left in its surviving neighbours' vectors. Wrong shares
    /// are left out when more than t arrived; their senders are recorded in `refusals`.
    package mutating func result() throws(SecAggError) -> [UInt32] {
        try self.close(.unmask)
        self.stage = .finished
        let t = self.configuration.threshold
        let sites = self.configuration.sites
        for owner in self.survivors.sorted() {
            let commitment = self.advertised[owner]!.selfMaskCommitment
            let seed = try self.reconstruct(
                self.selfMaskShares[owner] ?? [],
                owner: owner,
                secret: "self-mask seed"
            ) { Array(SHA256.hash(data: $0)) == commitment }
            MaskExpander.apply(seed: seed, .minus, to: &self.runningSum)
        }
        for owner in Set(self.maskPartners.keys).subtracting(self.survivors).sorted() {
            let partners = (self.maskPartners[owner] ?? []).filter { self.survivors.contains($0) }
            if partners.isEmpty { continue }
            let publicKey = self.advertised[owner]!.maskPublicKey
            let raw = try self.reconstruct(self.maskKeyShares[owner] ?? [], owner: owner, secret: "mask private key") {
                (try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: $0))?.publicKey.rawRepresentation
                    == Data(publicKey)
            }
            guard let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw) else {
                throw .reconstructionFailed(owner: sites[owner], secret: "mask private key", shares: t)
            }
            for partner in partners {
                guard let theirs = PairwiseKeys.publicKey(self.advertised[partner]!.maskPublicKey),
                    let seed = try? PairwiseKeys.maskSeed(
                        ours: key,
                        theirs: theirs,
                        lower: sites[min(owner, partner)],
                        higher: sites[max(owner, partner)],
                        context: self.configuration.context
                    )
                else { throw .malformedKeys(site: sites[partner], detail: "its mask key gives no shared secret") }
                // The survivor added the pair's mask with + when its point is below the dropped
                // site's; take away what it added.
                MaskExpander.apply(seed: seed, partner < owner ? .minus : .plus, to: &self.runningSum)
            }
        }
        return self.runningSum
    }

    /// One site's 32-byte secret from its shares, checked; records the senders of wrong shares.
    private mutating func reconstruct(
        _ shares: [(sender: String, share: ShamirShare)],
        owner: Int,
        secret: String,
        check: ([UInt8]) -> Bool
    ) throws(SecAggError) -> [UInt8] {
        let name = self.configuration.sites[owner]
        let t = self.configuration.threshold
        guard shares.count >= t else {
            throw .tooFewSurvivors(site: name, stage: .unmask, available: shares.count, threshold: t)
        }
        guard
            let verified = VerifiedReconstruction.reconstruct(shares, threshold: t, byteCount: 32, check: check)
        else { throw .reconstructionFailed(owner: name, secret: secret, shares: shares.count) }
        for sender in verified.badSenders {
            let reason = SecAggError.badShares(owner: name, senders: verified.badSenders, secret: secret)
            self.refusals.append(SecAggRefusal(site: sender, stage: .unmask, reason: reason))
        }
        return verified.secret
    }

    /// Throws unless the round is in `stage`, the one the caller is closing.
    func close(_ stage: SecAggStage) throws(SecAggError) {
        guard self.stage == stage else { throw .stageClosed(requested: stage, current: self.stage) }
    }

    /// `sites` without those left with fewer than t − 1 neighbours among the rest, repeated
    /// until none is; each removal is recorded as a refusal.
    mutating func pruned(_ sites: Set<Int>, stage: SecAggStage) -> Set<Int> {
        var kept = sites
        var changed = true
        while changed {
            changed = false
            for site in kept.sorted() {
                let holders = self.graph.neighbours[site].filter { kept.contains($0) }.count + 1
                if holders < self.configuration.threshold {
                    kept.remove(site)
                    changed = true
                    let reason = SecAggError.tooFewSurvivors(
                        site: self.configuration.sites[site],
                        stage: stage,
                        available: holders,
                        threshold: self.configuration.threshold
                    )
                    self.refusals.append(
                        SecAggRefusal(site: self.configuration.sites[site], stage: stage, reason: reason)
                    )
                }
            }
        }
        return kept
    }

    /// Abandons the round when fewer than t sites remain.
    mutating func requireSites(_ count: Int, stage: SecAggStage) throws(SecAggError) {
        guard count >= self.configuration.threshold else {
            self.stage = .finished
            throw .roundAbandoned(stage: stage, sites: count, threshold: self.configuration.threshold)
        }
    }
}
