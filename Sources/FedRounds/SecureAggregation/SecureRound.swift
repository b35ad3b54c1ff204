import FedSecAgg

/// A step of secure aggregation the coordinator sends one site: its neighbours' keys, the
/// encrypted shares addressed to it, or the shares it is asked to return for unmasking.
package enum SecureMessage: Sendable, Equatable {
    case neighbours(NeighbourKeys)
    case routed([EncryptedShares])
    case unmask(UnmaskRequest)
}

/// The open round's secure aggregation, as the federation core runs it: the coordinator's
/// `SecAggServer`, plus which sites the current stage still waits for. A stage closes as
/// soon as every site still in it has answered (a site that leaves or fails stops being
/// waited for), so the key exchange takes milliseconds before the sites train; the masked
/// inputs are the round's reports, and the unmasking closes when every asked survivor has
/// answered or at its deadline.
struct SecureRound: Sendable {
    typealias Outgoing = SecureMessage

    /// What a stage's close gave: messages to send, and sites the protocol left out (too few
    /// neighbours) or a reason the round can no longer be aggregated at all.
    struct Step: Sendable {
        var messages: [(site: String, message: Outgoing)] = []
        var leftOut: [String] = []
        var abandoned: String?
    }

    let setup: SecureSetup
    private(set) var server: SecAggServer
    /// Sites whose message for the current stage has not come yet.
    private(set) var waiting: Set<String>
    /// When the unmasking gives up on survivors that have not answered.
    var unmaskDeadline: Double?

    init(setup: SecureSetup) throws(SecAggError) {
        self.setup = setup
        self.server = try SecAggServer(configuration: setup.configuration)
        self.waiting = Set(setup.configuration.sites)
    }

    var round: Int { self.setup.configuration.round }
    var stage: SecAggStage { self.server.stage }
    /// Sites whose masked input is in the sum.
    var survivors: [String] { self.server.survivingSites }
    var refusals: [SecAggRefusal] { self.server.refusals }

    /// A site is gone or failed: no stage waits for it any more.
    mutating func drop(_ site: String) -> Step {
        self.server.dropped(site)
        guard self.waiting.remove(site) != nil else { return Step() }
        return self.closeIfAnswered()
    }

    mutating func receive(keys: KeyAdvertisement, from site: String) throws(SecAggError) -> Step {
        try self.server.receive(keys: keys, from: site)
        self.waiting.remove(site)
        return self.closeIfAnswered()
    }

    mutating func receive(shares: [EncryptedShares], from site: String) throws(SecAggError) -> Step {
        try self.server.receive(shares: shares, from: site)
        self.waiting.remove(site)
        return self.closeIfAnswered()
    }

    mutating func receive(masked: MaskedInput, from site: String) throws(SecAggError) {
        try self.server.receive(masked: masked, from: site)
    }

    /// Closes the masked-input stage: the survivors still connected are asked for shares.
    mutating func startUnmasking(deadline: Double) -> Step {
        do throws(SecAggError) {
            let requests = try self.server.unmaskRequests()
            self.waiting = Set(requests.keys)
            self.unmaskDeadline = deadline
            return Step(messages: requests.sorted { $0.key < $1.key }.map { ($0.key, .unmask($0.value)) })
        } catch {
            return Step(abandoned: "\(error)")
        }
    }

    /// Records a survivor's shares; true once every asked survivor has answered.
    mutating func receive(unmask response: UnmaskResponse, from site: String) throws(SecAggError) -> Bool {
        try self.server.receive(unmask: response, from: site)
        self.waiting.remove(site)
        return self.waiting.isEmpty
    }

    /// The sum of the survivors' quantised updates, dequantised.
    mutating func result() throws(SecAggError) -> [Float] {
        self.setup.configuration.quantizer.dequantize(try self.server.result())
    }

    /// Closes stage 1 or 2 once nobody in it is awaited.
    private mutating func closeIfAnswered() -> Step {
        guard self.waiting.isEmpty else { return Step() }
        let sites = Set(self.setup.configuration.sites)
        do throws(SecAggError) {
            switch self.server.stage {
            case .advertiseKeys:
                let keys = try self.server.neighbourKeys()
                self.waiting = Set(keys.keys)
                return Step(
                    messages: keys.sorted { $0.key < $1.key }.map { ($0.key, .neighbours($0.value)) },
                    leftOut: sites.subtracting(keys.keys).sorted()
                )
            case .shareKeys:
                let routed = try self.server.routedShares()
                self.waiting = Set(routed.keys)
                return Step(
                    messages: routed.sorted { $0.key < $1.key }.map { ($0.key, .routed($0.value)) },
                    leftOut: sites.subtracting(routed.keys).sorted()
                )
            default:
                return Step()
            }
        } catch {
            return Step(abandoned: "\(error)")
        }
    }
}
