import FedCoordinator
import FedLearning
import FedRounds
import FedSecAgg
import FedSupport
import FedTensor
import Foundation
import OrderedCollections

/// The federation run in one process: a shell around the same `FederationCore` the
/// coordinator drives, whose sites are virtual and answer at once. Deterministic for a
/// given scenario seed, and light enough for hundreds of sites (one model is reused for
/// every site's local training, and only trainable tensors move, so a head-mode text model
/// keeps its cached embeddings all run long). With a state folder it writes the same
/// checkpoints, rounds.jsonl and evaluations.jsonl as a coordinator with site processes.
package struct InProcessFederation<Model: SimulatedModel> {
    package let scenario: Scenario
    package let setup: SimulationSetup<Model>
    /// Each site's local training per round (the scenario's, with class weights resolved).
    package let training: TrainingConfiguration
    /// Where each round's checkpoint and records go, as a coordinator's state folder would
    /// hold them; nil keeps nothing.
    package let state: StateFolder?

    package init(
        scenario: Scenario,
        setup: SimulationSetup<Model>,
        training: TrainingConfiguration,
        state: StateFolder? = nil
    ) {
        self.scenario = scenario
        self.setup = setup
        self.training = training
        self.state = state
    }

    /// The core's settings for this scenario: every site, a quorum of one, the seed and the
    /// strategy of the scenario, as `ProcessFederation` writes them into coordinator.yaml.
    ///
    /// Under `privacy` the noise and the sampling are drawn from a key derived from the
    /// scenario's seed, so a simulation repeats exactly; its noise is not secret, as a
    /// coordinator's is (its state folder's privacy.key).
    static func settings(_ scenario: Scenario, sites: Int, training: TrainingConfiguration) throws
        -> FederationCore.Settings
    {
        var policy = RoundPolicy(rounds: scenario.rounds, minSites: sites, quorum: 1, deadlineSeconds: 1800)
        policy.sampleSize = scenario.sample
        policy.seed = scenario.seed
        var settings = FederationCore.Settings(
            policy: policy,
            clipNorm: scenario.clipNorm,
            serverLearningRate: scenario.serverLearningRate
        )
        settings.trainingSeed = training.seed
        settings.secureAggregation = scenario.secureAggregation
        settings.optimizer = scenario.strategy.optimizer
        settings.robust = scenario.strategy.robust
        settings.earlyStopping = scenario.earlyStopping
        if let plan = try scenario.privacyPlan(sites: sites) {
            settings.privacy = plan
            settings.clipNorm = Float(plan.clipNorm)
            var stream = KeyStream(deriving: [Array("fedtune simulation privacy".utf8), Array(String(scenario.seed).utf8)])
            settings.privacyKey = stream.bytes(32)
        }
        return settings
    }

    /// Runs every round; `onRound` sees each as it closes. Leaves the final global model in
    /// `setup.model`.
    package func run(
        interruption: Interruption? = nil,
        onRound: (SimulationRound) -> Void = { _ in }
    ) throws -> [SimulationRound] {
        let model = self.setup.model
        try self.setup.reset()
        let metadata = try model.anyClassifier.packageMetadata()
        let checkpointMetadata = try model.anyClassifier.checkpointMetadata()
        var settings = try Self.settings(self.scenario, sites: self.setup.sites.count, training: self.training)
        settings.loraExactScale = model.anyClassifier.loraExactScale
        if let conflict = settings.loraExactConflict {
            throw ScenarioError.invalid(path: self.scenario.name, detail: conflict)
        }
        // Sizes of what the wire would carry: the base model once per site, then trainable tensors.
        settings.baseModelBytes = ModelPackage.encode(metadata: metadata, tensors: model.parameters.values()).count
        settings.trainableBytes = ModelPackage.encodeTrainable(self.setup.start).count
        // What a site sends back: every trainable tensor but exact LoRA's residuals.
        let updateBytes = ModelPackage.encodeTrainable(
            self.setup.start.filter { !LoRAExactAggregation.isResidual($0.key) }).count
        if let state = self.state { try AtomicFile.createFolder(state.url) }
        // A robust rule keeps each round's updates in a file: the state folder's, or a temporary one.
        let storeFolder = self.state?.url ?? FileManager.default.temporaryDirectory
        let storePrefix = self.state == nil ? "fedtune-\(UUID().uuidString)-" : ""
        var core = FederationCore(
            settings: settings, global: self.setup.start,
            updateStores: { round, length in
                try MappedUpdateStore(folder: storeFolder, name: storePrefix + String(format: "round-%05d", round), length: length)
            })
        // Tensors each site keeps for itself (FedBN's batch norms): a site starts from the
        // pretrained ones and keeps its own from round to round; the global model (checkpoints,
        // the global test set) keeps the pretrained ones, as a coordinator never sees any other.
        let pretrainedLocal = model.parameters.localValues()
        var siteLocal: [String: OrderedDictionary<String, Tensor>] = [:]
        func useLocal(of site: String?) throws {
            guard !pretrainedLocal.isEmpty else { return }
            let values = site.flatMap { siteLocal[$0] } ?? pretrainedLocal
            try model.load(values, requireAll: false, source: "local tensors")
        }
        let index = Dictionary(uniqueKeysWithValues: self.setup.siteNames.enumerated().map { ($1, $0) })
        var rows: [SimulationRound] = []
        var results: [SimulationRound.SiteResult] = []
        var secureSites = VirtualSecureSites(seed: self.scenario.seed)
        let hostile = self.scenario.attack?.hostile(self.setup.siteNames) ?? []
        var encoders: [String: UpdateEncoder] = [:]
        var compressionGenerator = SeededGenerator(seed: self.scenario.seed ^ 0x636F_6D70)
        /// One site's local training in a round, from the round's tensors.
        func train(_ site: String, seed: UInt64, tensors: OrderedDictionary<String, Tensor>) throws
            -> RoundTraining.Result
        {
            let number = index[site]!
            var configuration = self.training
            configuration.seed = seed
            try useLocal(of: site)
            defer { if !pretrainedLocal.isEmpty { siteLocal[site] = model.parameters.localValues() } }
            let result = try RoundTraining.train(
                model,
                global: tensors,
                data: self.setup.sites[number].train,
                configuration: configuration
            )
            results.append(
                .init(
                    site: site,
                    examples: result.examples,
                    trainLoss: result.metrics["loss"],
                    trainAccuracy: result.metrics["accuracy"]
                )
            )
            return result
        }
        var pending: [FederationCore.Action] = []
        var evaluations: [EvaluationRecord] = []
        for site in self.setup.siteNames { pending += core.handle(.siteJoined(site, holdsBase: false), now: 0) }
        let started = Date()
        var now: Double { Date().timeIntervalSince(started) }
        while !pending.isEmpty {
            switch pending.removeFirst() {
            case .train(let round, let site, let seed, let tensors):
                if let setup = core.secureSetup(round: round) {
                    // Secure aggregation: keys first; the site trains once the shares are in.
                    let keys = try secureSites.join(site, setup: setup, seed: seed, tensors: tensors)
                    pending += core.handle(.secureKeys(site: site, round: round, keys), now: now)
                    continue
                }
                let result = try train(site, seed: seed, tensors: tensors)
                var delta = hostile.contains(site) ? self.scenario.attack!.tamper(result.delta) : result.delta
                var bytes = updateBytes
                if self.scenario.strategy.compression != .none {
                    // As a site process does: clip, compress (top-k keeps each site's residual),
                    // and the coordinator decodes what arrives.
                    var encoder = encoders[site] ?? UpdateEncoder(compression: self.scenario.strategy.compression)
                    let blob = encoder.encode(delta, clippedTo: core.clipNorm, using: &compressionGenerator)
                    encoders[site] = encoder
                    bytes = blob.count
                    delta = try UpdateDecoder.decode(blob, spec: core.spec, source: "update from \(site)")
                }
                let update = FederationCore.Update(
                    examples: result.examples,
                    metrics: result.metrics,
                    tensors: delta,
                    bytes: bytes
                )
                pending += core.handle(.updateReceived(site: site, round: round, update), now: now)
            case .secure(let site, let round, .neighbours(let keys)):
                let shares = try secureSites.shareKeys(site, neighbours: keys)
                pending += core.handle(.secureShares(site: site, round: round, shares), now: now)
            case .secure(let site, let round, .routed(let shares)):
                let (seed, tensors) = secureSites.training(of: site)
                let result = try train(site, seed: seed, tensors: tensors)
                let masked = try secureSites.mask(site, delta: result.delta, spec: core.spec, shares: shares)
                let update = MaskedUpdate(
                    examples: result.examples, metrics: result.metrics, masked: masked, bytes: 4 * masked.vector.count)
                pending += core.handle(.maskedUpdateReceived(site: site, round: round, update), now: now)
            case .secure(let site, let round, .unmask(let request)):
                let response = try secureSites.unmask(site, request: request)
                pending += core.handle(.secureUnmasked(site: site, round: round, response), now: now)
            case .evaluate(let round, let sites, let tensors):
                try model.load(tensors, requireAll: false, source: "global")
                for site in sites {
                    try useLocal(of: site)
                    let (examples, metrics) = RoundTraining.evaluate(
                        model,
                        on: self.setup.sites[index[site]!].heldOut,
                        threshold: self.training.threshold ?? .bestF1
                    )
                    pending += core.handle(
                        .evaluationReceived(site: site, round: round, examples: examples, metrics: metrics),
                        now: now
                    )
                }
            case .writeCheckpoint(let round, let tensors, var record):
                try model.load(tensors, requireAll: false, source: "global")
                try useLocal(of: nil)
                if let state = self.state {
                    let blob = ModelPackage.encode(
                        metadata: checkpointMetadata,
                        tensors: model.anyClassifier.stored(model.parameters.values())
                    )
                    record.digest = sha256Hex(blob)
                    try state.save(round: round, modelBlob: blob, record: record, serverState: core.serverState)
                }
                let positive = self.scenario.positiveClassIndex(in: self.setup.classNames)
                let score = Score(model, self.setup.test, positiveClass: positive)
                let row = SimulationRound(
                    record: record,
                    testAccuracy: score.accuracy,
                    testLoss: score.loss,
                    testMacroF1: score.metrics.macroF1,
                    testScreening: score.screening,
                    siteResults: results.filter { record.sites.contains($0.site) }
                )
                rows.append(row)
                results = []
                onRound(row)
                pending += core.handle(.checkpointWritten(round: round), now: now)
                if interruption?.isRequested == true {
                    // Stop after the saved round, as a coordinator does on SIGINT.
                    pending = core.handle(.stopRequested, now: now)
                }
            case .writeEvaluation(let record):
                evaluations.append(record)
                try self.state?.save(evaluation: record)
            case .stop(let reason):
                throw ScenarioError.invalid(path: self.scenario.name, detail: "the federation stopped: \(reason)")
            case .finished:
                pending = []
            case .sendBaseModel, .rejectUpdate, .retryRound, .wake, .shutDown:
                continue
            }
        }
        // The result: the best round's model under early stopping, otherwise the last one.
        try model.load(core.resultTensors, requireAll: false, source: "global")
        try useLocal(of: nil)
        // With threshold_target, a two-class model decides by the sites' weighted threshold, as
        // the coordinator's final model does.
        if self.training.threshold != nil, model.classCount == 2, case .tabular(let tabular) = model.anyClassifier {
            tabular.setDecisionThreshold(EvaluationRecord.federatedThreshold(evaluations, round: core.resultRound))
        }
        return rows
    }
}
