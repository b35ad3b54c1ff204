/// A whole secure-aggregation round in memory: n `SecAggSite`s and one `SecAggServer`
/// passing their messages directly. It is the reference for how a driver moves messages
/// between the parties (the coordinator does the same over mutual TLS), and it lets tests
/// drop sites, tamper with messages in flight and watch what the server sees.
package struct SecAggSimulation {
    package var configuration: SecAggConfiguration
    /// Sites that go silent at a stage: they send nothing for it or any later stage, and the
    /// server is told they dropped.
    package var dropouts: [String: SecAggStage] = [:]
    /// Sites whose masked vector is computed and sent but never reaches the server.
    package var lostMaskedInputs: Set<String> = []
    /// Called on the ciphertexts the server routes to each site, before delivery.
    package var interceptRouting: ((inout [String: [EncryptedShares]]) -> Void)?
    /// Called on each unmask response before the server receives it.
    package var interceptUnmask: ((String, inout UnmaskResponse) -> Void)?
    /// Called with every vector the server receives or holds: each masked input, the running
    /// sum after each fold, and the result.
    package var observeServerVector: (([UInt32]) -> Void)?

    /// What a round produced.
    package struct Outcome {
        /// Σ x_u over the survivors, mod 2³².
        package var sum: [UInt32]
        /// The sites whose masked vector is in the sum.
        package var survivors: [String]
        /// What the server refused, in order.
        package var refusals: [SecAggRefusal]
        /// Sites that gave up the round, and why.
        package var siteErrors: [String: SecAggError]
    }

    package init(configuration: SecAggConfiguration) {
        self.configuration = configuration
    }

    /// Runs one round over the sites' quantised updates (one per configured site); throws
    /// the server's error when the round cannot complete.
    package func run(
        updates: [String: [UInt32]],
        using generator: inout some RandomNumberGenerator
    ) throws(SecAggError) -> Outcome {
        var server = try SecAggServer(configuration: self.configuration)
        var sites: [String: SecAggSite] = [:]
        var siteErrors: [String: SecAggError] = [:]
        for name in self.configuration.sites {
            sites[name] = try SecAggSite(name: name, configuration: self.configuration, using: &generator)
        }
        func active(_ name: String, at stage: SecAggStage) -> Bool {
            if siteErrors[name] != nil { return false }
            if let dropStage = self.dropouts[name], dropStage <= stage {
                server.dropped(name)
                return false
            }
            return true
        }

        for name in self.configuration.sites where active(name, at: .advertiseKeys) {
            try? server.receive(keys: sites[name]!.advertiseKeys(), from: name)
        }
        let forwarded = try server.neighbourKeys()
        for (name, keys) in forwarded.sorted(by: { $0.key < $1.key }) where active(name, at: .shareKeys) {
            do {
                let shares = try sites[name]!.shareKeys(neighbours: keys, using: &generator)
                try? server.receive(shares: shares, from: name)
            } catch {
                siteErrors[name] = error
            }
        }
        var routed = try server.routedShares()
        self.interceptRouting?(&routed)
        for (name, shares) in routed.sorted(by: { $0.key < $1.key }) where active(name, at: .maskedInput) {
            do {
                let masked = try sites[name]!.maskedInput(update: updates[name] ?? [], sharesReceived: shares)
                if self.lostMaskedInputs.contains(name) { continue }
                self.observeServerVector?(masked.vector)
                if (try? server.receive(masked: masked, from: name)) != nil {
                    self.observeServerVector?(server.runningSum)
                }
            } catch {
                siteErrors[name] = error
                server.dropped(name)
            }
        }
        let requests = try server.unmaskRequests()
        for (name, request) in requests.sorted(by: { $0.key < $1.key }) where active(name, at: .unmask) {
            do {
                var response = try sites[name]!.unmask(request: request)
                self.interceptUnmask?(name, &response)
                try? server.receive(unmask: response, from: name)
            } catch {
                siteErrors[name] = error
            }
        }
        let sum = try server.result()
        self.observeServerVector?(sum)
        return Outcome(
            sum: sum,
            survivors: server.survivingSites,
            refusals: server.refusals,
            siteErrors: siteErrors
        )
    }
}
