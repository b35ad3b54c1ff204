import FedSecAgg

/// Shared builders for the FedSecAgg suites.
enum SecAggFixtures {
    /// Sites named site01, site02, …
    static func names(_ count: Int) -> [String] {
        (1...count).map { "site" + ($0 < 10 ? "0" : "") + String($0) }
    }

    /// A round of `sites` sites with `neighbours` neighbours each and threshold `threshold`.
    static func configuration(
        sites: Int,
        neighbours: Int,
        threshold: Int,
        length: Int = 64,
        round: Int = 7,
        seed: UInt64 = 42
    ) -> SecAggConfiguration {
        SecAggConfiguration(
            round: round,
            sites: self.names(sites),
            neighbourCount: neighbours,
            threshold: threshold,
            graphSeed: seed,
            vectorLength: length,
            quantizer: Quantizer(clipBound: 1, maxSummands: sites)
        )
    }

    /// Uniform random quantised updates, one per site.
    static func updates(
        for configuration: SecAggConfiguration,
        using generator: inout some RandomNumberGenerator
    ) -> [String: [UInt32]] {
        var out: [String: [UInt32]] = [:]
        for name in configuration.sites {
            out[name] = (0..<configuration.vectorLength).map { _ in UInt32(truncatingIfNeeded: generator.next()) }
        }
        return out
    }

    /// Σ of `updates` over `sites`, mod 2³².
    static func plainSum(_ updates: [String: [UInt32]], over sites: [String], length: Int) -> [UInt32] {
        var sum = [UInt32](repeating: 0, count: length)
        for site in sites {
            for index in 0..<length { sum[index] &+= updates[site]![index] }
        }
        return sum
    }
}

/// A round driven by hand, stage by stage, for tests that step in between.
struct ManualRound {
    var configuration: SecAggConfiguration
    var generator = SplitMix64(seed: 2024)
    var sites: [String: SecAggSite] = [:]
    var server: SecAggServer
    var updates: [String: [UInt32]] = [:]

    init(_ configuration: SecAggConfiguration) throws {
        self.configuration = configuration
        self.server = try SecAggServer(configuration: configuration)
        for name in configuration.sites {
            self.sites[name] = try SecAggSite(name: name, configuration: configuration, using: &self.generator)
        }
        self.updates = SecAggFixtures.updates(for: configuration, using: &self.generator)
    }

    /// Stage 1 for every site; returns the forwarded neighbour keys.
    mutating func advertise() throws -> [String: NeighbourKeys] {
        for name in self.configuration.sites {
            try self.server.receive(keys: self.sites[name]!.advertiseKeys(), from: name)
        }
        return try self.server.neighbourKeys()
    }

    /// Stages 1 and 2 for every site; returns the routed ciphertexts.
    mutating func share() throws -> [String: [EncryptedShares]] {
        let forwarded = try self.advertise()
        for name in self.configuration.sites {
            let shares = try self.sites[name]!.shareKeys(neighbours: forwarded[name]!, using: &self.generator)
            try self.server.receive(shares: shares, from: name)
        }
        return try self.server.routedShares()
    }

    /// Stages 1–3 with every site but `silent`; returns the unmask requests.
    mutating func mask(silent: Set<String> = []) throws -> [String: UnmaskRequest] {
        let routed = try self.share()
        for name in self.configuration.sites where !silent.contains(name) {
            let masked = try self.sites[name]!.maskedInput(update: self.updates[name]!, sharesReceived: routed[name]!)
            try self.server.receive(masked: masked, from: name)
        }
        return try self.server.unmaskRequests()
    }
}
