/// The coordinator's side of a secure-aggregation round: a state machine that takes each
/// site's message, returns what to forward, and keeps ONE running masked sum of L values,
/// so its memory does not grow with the number of sites.
///
/// What the coordinator learns: public keys and commitments; ciphertexts it cannot read;
/// masked vectors, each indistinguishable from uniform noise; in stage 4, for each survivor
/// its self-mask seed and for each dropped site its mask key, never both for one site
/// (`unmaskRequests()` asks each site about disjoint sets); and finally Σ x_u over survivors.
///
/// The caller closes each stage (at its deadline) by asking for the next stage's messages.
/// Every refused message is thrown to the caller and also kept in `refusals`.
package struct SecAggServer: Sendable {
    package let configuration: SecAggConfiguration
    /// The stage whose site messages the server accepts now.
    package internal(set) var stage: SecAggStage = .advertiseKeys
    /// Every message refused so far, in order, with the site and the reason.
    package internal(set) var refusals: [SecAggRefusal] = []
    /// Σ of the masked vectors received so far (mod 2³²); after `result()`, the unmasked sum.
    package internal(set) var runningSum: [UInt32]

    let graph: NeighbourGraph
    let positions: [String: Int]
    /// Sites marked dropped by the caller; their later messages are refused.
    var droppedSites: Set<Int> = []
    /// Stage 1: advertisements by site; after closing, the sites that take part (U1).
    var advertised: [Int: KeyAdvertisement] = [:]
    /// Stage 2: each sender's ciphertexts; after closing, cleared.
    var sharesBySender: [Int: [EncryptedShares]] = [:]
    /// After stage 2: the sites that completed it (U2) and, for each, the neighbours in U2
    /// it received shares from (those it masks with), ascending.
    var maskPartners: [Int: [Int]] = [:]
    /// Stage 3: the sites whose masked vector is in the sum (U3).
    var survivors: Set<Int> = []
    /// Stage 4: what each survivor was asked and the shares collected, by owner.
    var requests: [Int: UnmaskRequest] = [:]
    var answered: Set<Int> = []
    var selfMaskShares: [Int: [(sender: String, share: ShamirShare)]] = [:]
    var maskKeyShares: [Int: [(sender: String, share: ShamirShare)]] = [:]

    /// The server for the round `configuration` (validated here).
    package init(configuration: SecAggConfiguration) throws(SecAggError) {
        try configuration.validate()
        self.configuration = configuration
        self.graph = configuration.graph
        self.positions = Dictionary(uniqueKeysWithValues: configuration.sites.enumerated().map { ($1, $0) })
        self.runningSum = [UInt32](repeating: 0, count: configuration.vectorLength)
    }

    /// The sites whose masked vector is in the sum so far, in configuration order.
    package var survivingSites: [String] {
        self.survivors.sorted().map { self.configuration.sites[$0] }
    }

    /// Marks `site` as gone. Its later messages are refused; a masked vector already in the
    /// sum stays there (the site then counts as a survivor whose seed others reveal).
    package mutating func dropped(_ site: String) {
        guard let index = self.positions[site] else { return }
        self.droppedSites.insert(index)
    }

    /// Stage 1: records a site's keys. `site` is the authenticated sender.
    package mutating func receive(keys: KeyAdvertisement, from site: String) throws(SecAggError) {
        try self.recording(site, .advertiseKeys) { server throws(SecAggError) in
            try server.accept(keys: keys, from: site)
        }
    }

    private mutating func accept(keys: KeyAdvertisement, from site: String) throws(SecAggError) {
        let index = try self.accept(from: site, stage: .advertiseKeys, round: keys.round)
        guard self.advertised[index] == nil else { throw .duplicateMessage(site: site, stage: .advertiseKeys) }
        guard PairwiseKeys.publicKey(keys.cipherPublicKey) != nil, PairwiseKeys.publicKey(keys.maskPublicKey) != nil,
            keys.selfMaskCommitment.count == 32
        else { throw .malformedKeys(site: site, detail: "keys and commitment must be 32 bytes each") }
        let seen = self.advertised.values.flatMap { [$0.cipherPublicKey, $0.maskPublicKey] }
        guard keys.cipherPublicKey != keys.maskPublicKey, !seen.contains(keys.cipherPublicKey),
            !seen.contains(keys.maskPublicKey)
        else { throw .malformedKeys(site: site, detail: "a public key repeats another one of the round") }
        self.advertised[index] = keys
    }

    /// Closes stage 1: for each site that advertised (and was not dropped), its neighbours'
    /// keys. Sites left with fewer than t − 1 advertising neighbours cannot have their input
    /// unmasked; they are left out (and recorded) until every remaining site has enough.
    package mutating func neighbourKeys() throws(SecAggError) -> [String: NeighbourKeys] {
        try self.close(.advertiseKeys)
        let taking = self.pruned(Set(self.advertised.keys).subtracting(self.droppedSites), stage: .advertiseKeys)
        self.advertised = self.advertised.filter { taking.contains($0.key) }
        try self.requireSites(taking.count, stage: .advertiseKeys)
        var out: [String: NeighbourKeys] = [:]
        for index in taking.sorted() {
            let neighbours = self.graph.neighbours[index].filter { taking.contains($0) }.map {
                SiteKeys(site: self.configuration.sites[$0], keys: self.advertised[$0]!)
            }
            out[self.configuration.sites[index]] = NeighbourKeys(
                round: self.configuration.round,
                neighbours: neighbours
            )
        }
        self.stage = .shareKeys
        return out
    }

    /// Stage 2: records a site's ciphertexts, which must go from it to each of its advertising
    /// neighbours exactly once.
    package mutating func receive(shares: [EncryptedShares], from site: String) throws(SecAggError) {
        try self.recording(site, .shareKeys) { server throws(SecAggError) in
            try server.accept(shares: shares, from: site)
        }
    }

    private mutating func accept(shares: [EncryptedShares], from site: String) throws(SecAggError) {
        let index = try self.accept(
            from: site,
            stage: .shareKeys,
            round: shares.first?.round ?? self.configuration.round
        )
        guard self.advertised[index] != nil else {
            throw .droppedSite(site: site, stage: .shareKeys)
        }
        guard self.sharesBySender[index] == nil else { throw .duplicateMessage(site: site, stage: .shareKeys) }
        let expected = Set(self.graph.neighbours[index].filter { self.advertised[$0] != nil })
        var seen: Set<Int> = []
        for message in shares {
            guard message.round == self.configuration.round else {
                throw .wrongRound(
                    site: site,
                    stage: .shareKeys,
                    round: message.round,
                    expected: self.configuration.round
                )
            }
            guard message.sender == site else {
                throw .malformedShares(
                    site: site,
                    stage: .shareKeys,
                    detail: "a ciphertext claims to come from '\(message.sender)'"
                )
            }
            guard let receiver = self.positions[message.receiver], expected.contains(receiver) else {
                throw .notANeighbour(site: site, other: message.receiver, stage: .shareKeys)
            }
            guard seen.insert(receiver).inserted else {
                throw .malformedShares(
                    site: site,
                    stage: .shareKeys,
                    detail: "two ciphertexts for '\(message.receiver)'"
                )
            }
        }
        guard seen == expected else {
            let missing = expected.subtracting(seen).sorted().map { self.configuration.sites[$0] }
            throw .malformedShares(site: site, stage: .shareKeys, detail: "no ciphertext for \(missing)")
        }
        self.sharesBySender[index] = shares
    }

    /// Closes stage 2: for each site that completed it, the ciphertexts addressed to it by
    /// neighbours that completed it too. Sites left with fewer than t − 1 such neighbours are
    /// left out (and recorded) until every remaining site has enough.
    package mutating func routedShares() throws(SecAggError) -> [String: [EncryptedShares]] {
        try self.close(.shareKeys)
        let sharing = self.pruned(Set(self.sharesBySender.keys).subtracting(self.droppedSites), stage: .shareKeys)
        try self.requireSites(sharing.count, stage: .shareKeys)
        var out: [String: [EncryptedShares]] = [:]
        for index in sharing.sorted() {
            let partners = self.graph.neighbours[index].filter { sharing.contains($0) }
            self.maskPartners[index] = partners
            let name = self.configuration.sites[index]
            out[name] = partners.compactMap { sender in self.sharesBySender[sender]?.first { $0.receiver == name } }
        }
        self.sharesBySender = [:]
        self.stage = .maskedInput
        return out
    }

    /// Stage 3: folds a site's masked vector into the running sum; the vector is not kept.
    package mutating func receive(masked: MaskedInput, from site: String) throws(SecAggError) {
        try self.recording(site, .maskedInput) { server throws(SecAggError) in
            try server.accept(masked: masked, from: site)
        }
    }

    private mutating func accept(masked: MaskedInput, from site: String) throws(SecAggError) {
        let index = try self.accept(from: site, stage: .maskedInput, round: masked.round)
        guard let partners = self.maskPartners[index] else {
            throw .droppedSite(site: site, stage: .maskedInput)
        }
        guard !self.survivors.contains(index) else { throw .duplicateMessage(site: site, stage: .maskedInput) }
        guard masked.vector.count == self.configuration.vectorLength else {
            throw .wrongVectorLength(site: site, length: masked.vector.count, expected: self.configuration.vectorLength)
        }
        let expected = partners.map { self.configuration.sites[$0] }
        guard masked.maskedWith == expected else {
            throw .inconsistentMasking(site: site, expected: expected, found: masked.maskedWith)
        }
        self.runningSum.withUnsafeMutableBufferPointer { sum in
            masked.vector.withUnsafeBufferPointer { vector in
                for position in 0..<sum.count { sum[position] &+= vector[position] }
            }
        }
        self.survivors.insert(index)
    }

    /// Refuses (and records) a message from an unknown or dropped site, out of stage, or of another round;
    /// returns the sender's index.
    func accept(from site: String, stage: SecAggStage, round: Int) throws(SecAggError) -> Int {
        guard let index = self.positions[site] else { throw .unknownSite(site: site, stage: stage) }
        guard self.stage == stage else { throw .outOfStage(site: site, stage: stage, current: self.stage) }
        guard round == self.configuration.round else {
            throw .wrongRound(site: site, stage: stage, round: round, expected: self.configuration.round)
        }
        guard !self.droppedSites.contains(index) else { throw .droppedSite(site: site, stage: stage) }
        return index
    }

    /// Runs `body`; a refusal it throws is recorded against `site` and `stage`, then rethrown.
    mutating func recording(
        _ site: String,
        _ stage: SecAggStage,
        _ body: (inout SecAggServer) throws(SecAggError) -> Void
    ) throws(SecAggError) {
        do {
            try body(&self)
        } catch {
            self.refusals.append(SecAggRefusal(site: site, stage: stage, reason: error))
            throw error
        }
    }
}
