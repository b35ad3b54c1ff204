import FedRounds
import FedSecAgg
import FedTensor
import OrderedCollections

/// The simulated sites' side of secure aggregation: each sampled site's `SecAggSite` for the
/// open round, and what it will train on once the key exchange is done, as a site process
/// keeps them. Keys, self-mask seeds and rounding draw from a generator seeded by the
/// scenario, so a simulation repeats exactly (a site process uses the system's secure
/// generator instead).
struct VirtualSecureSites {
    private var sites: [String: SecAggSite] = [:]
    private var pending: [String: (seed: UInt64, tensors: OrderedDictionary<String, Tensor>)] = [:]
    private var setups: [String: SecureSetup] = [:]
    private var generator: SeededGenerator

    init(seed: UInt64) {
        self.generator = SeededGenerator(seed: seed ^ 0x5345_4341_4747)
    }

    /// A sampled site takes part in a secure round: its keys.
    mutating func join(
        _ site: String,
        setup: SecureSetup,
        seed: UInt64,
        tensors: OrderedDictionary<String, Tensor>
    ) throws -> KeyAdvertisement {
        var party = try SecAggSite(name: site, configuration: setup.configuration, using: &self.generator)
        let keys = party.advertiseKeys()
        self.sites[site] = party
        self.pending[site] = (seed, tensors)
        self.setups[site] = setup
        return keys
    }

    mutating func shareKeys(_ site: String, neighbours: NeighbourKeys) throws -> [EncryptedShares] {
        try self.sites[site]!.shareKeys(neighbours: neighbours, using: &self.generator)
    }

    /// What `site` trains on in the open round.
    func training(of site: String) -> (seed: UInt64, tensors: OrderedDictionary<String, Tensor>) {
        self.pending[site]!
    }

    /// The site's update, clipped, quantised and masked.
    mutating func mask(
        _ site: String,
        delta: OrderedDictionary<String, Tensor>,
        spec: TensorSpec,
        shares: [EncryptedShares]
    ) throws -> MaskedInput {
        let vector = try SecureVector.quantize(delta, spec: spec, setup: self.setups[site]!, using: &self.generator)
        return try self.sites[site]!.maskedInput(update: vector, sharesReceived: shares)
    }

    mutating func unmask(_ site: String, request: UnmaskRequest) throws -> UnmaskResponse {
        try self.sites[site]!.unmask(request: request)
    }
}
