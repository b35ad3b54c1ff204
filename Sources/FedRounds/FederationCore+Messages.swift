import FedSecAgg
import FedSupport
import FedTensor
import OrderedCollections

/// What the federation core is told (events) and what it asks its shell to do (actions),
/// and the settings it runs with.
extension FederationCore {
    package struct Settings: Sendable, Equatable {
        package var policy: RoundPolicy
        /// L2 bound on each site's update over all its tensors; nil leaves updates unclipped.
        package var clipNorm: Float?
        /// Multiplier of the averaged update when applied to the global model.
        package var serverLearningRate: Float = 1
        /// Seeds each site's local training; a site's seed for a round is derived from it.
        package var trainingSeed: UInt64 = 0
        /// Bytes of the base-model blob and of a trainable-tensors blob, for the records.
        package var baseModelBytes = 0
        package var trainableBytes = 0
        /// The most examples one site's update or evaluation may weigh (coordinator.yaml's
        /// `max_examples_per_site`); nil bounds a site only by what it announced at join.
        package var maxExamplesPerSite: Int?
        /// DP-FedAvg's plan; nil runs plain FedAvg.
        package var privacy: DifferentialPrivacy?
        /// The secret the noise and the sampling are drawn from under `privacy`: 32 bytes.
        package var privacyKey: [UInt8] = []
        /// Secure aggregation (SecAgg+): the coordinator sees only each round's sum.
        package var secureAggregation: SecureAggregationSettings?
        /// The server optimizer; nil is FedAvg with `serverLearningRate`.
        package var optimizer: ServerOptimizerSettings?
        /// A robust rule instead of FedAvg's mean (every update of a round is then kept in an
        /// `UpdateStore` until the round closes).
        package var robust: RobustRule?
        /// Federation-level early stopping on the federated validation loss; nil runs every round.
        package var earlyStopping: EarlyStopping.Settings?
        /// Exact LoRA aggregation (FedEx-LoRA) at adapter scale α/r; nil averages A and B alone.
        package var loraExactScale: Float?

        /// Why these settings cannot run exact LoRA aggregation (it needs plain FedAvg applied
        /// at server learning rate 1, each update in the clear), or nil.
        package var loraExactConflict: String? {
            guard self.loraExactScale != nil else { return nil }
            let optimizer = self.optimizerSettings
            if optimizer.kind != .fedavg || optimizer.learningRate != 1 {
                return "lora.exact needs strategy.optimizer fedavg with server_learning_rate 1 (the residual makes the "
                    + "model the average of the sites' merged weights, which a server step would not be); "
                    + "leave lora.exact out or use plain FedAvg"
            }
            if self.robust != nil { return "lora.exact cannot be used with a robust strategy.aggregation; use mean" }
            if self.privacy != nil { return "lora.exact cannot be used with privacy: the residual is not noised" }
            if self.secureAggregation != nil {
                return "lora.exact cannot be used with secure_aggregation: it needs each site's adapters"
            }
            return nil
        }

        package init(policy: RoundPolicy, clipNorm: Float? = nil, serverLearningRate: Float = 1) {
            self.policy = policy
            self.clipNorm = clipNorm
            self.serverLearningRate = serverLearningRate
        }
    }

    /// One site's report for a round.
    package struct Update: Sendable {
        package var examples: Int
        package var metrics: [String: Double]
        package var tensors: OrderedDictionary<String, Tensor>
        /// Size of the blob it came in.
        package var bytes: Int

        package init(examples: Int, metrics: [String: Double], tensors: OrderedDictionary<String, Tensor>, bytes: Int) {
            self.examples = examples
            self.metrics = metrics
            self.tensors = tensors
            self.bytes = bytes
        }
    }

    package enum Event: Sendable {
        /// A site authenticated; `holdsBase` says whether it already has the base model.
        /// `examples`: the size of its data the site announced in `hello`, which bounds the
        /// weight of its updates and evaluations for the rest of the run (the smallest
        /// announcement counts).
        case siteJoined(String, holdsBase: Bool, examples: Int? = nil)
        case siteLeft(String)
        /// A site said why it stops (a `failure` message) and left.
        case siteFailed(String, reason: String)
        case updateReceived(site: String, round: Int, Update)
        /// An update that could not even be read (not safetensors, too large…).
        case updateUnreadable(site: String, round: Int, reason: String)
        case evaluationReceived(site: String, round: Int, examples: Int, metrics: [String: Double])
        /// Secure aggregation: a site's keys, its encrypted shares, its masked update, and its
        /// shares for unmasking.
        case secureKeys(site: String, round: Int, KeyAdvertisement)
        case secureShares(site: String, round: Int, [EncryptedShares])
        case maskedUpdateReceived(site: String, round: Int, MaskedUpdate)
        case secureUnmasked(site: String, round: Int, UnmaskResponse)
        /// A `wake` instant passed (waking early is harmless).
        case deadlineReached
        case checkpointWritten(round: Int)
        case checkpointFailed(round: Int, reason: String)
        /// The operator stops the coordinator (SIGINT, SIGTERM); the run resumes later.
        case stopRequested
    }

    package enum Action: Sendable {
        /// Send the base model (every tensor) to a site that lacks it.
        case sendBaseModel(site: String)
        /// Send a site the round's trainable tensors and its seed for local training.
        case train(round: Int, site: String, seed: UInt64, tensors: OrderedDictionary<String, Tensor>)
        /// Ask these sites to score the new global model on their held-out data.
        case evaluate(round: Int, sites: [String], tensors: OrderedDictionary<String, Tensor>)
        /// Write the round's checkpoint (the global model with these trainable tensors) and
        /// then its record; answer with `checkpointWritten` or `checkpointFailed`.
        case writeCheckpoint(round: Int, tensors: OrderedDictionary<String, Tensor>, record: RoundRecord)
        case writeEvaluation(EvaluationRecord)
        /// An update turned away; the global model is untouched. The shell tells the site.
        case rejectUpdate(site: String, round: Int, reason: String)
        /// A round without quorum is thrown away and tried again.
        case retryRound(round: Int, reason: String)
        /// Send `deadlineReached` at this instant (seconds on the shell's clock).
        case wake(at: Double)
        /// The run is over: tell these sites and stop listening.
        case finished(rounds: Int, sites: [String])
        /// The run cannot go on.
        case stop(reason: String)
        /// Stop without finishing (the state folder resumes).
        case shutDown(completedRounds: Int)
        /// Secure aggregation: send a site one step of the protocol.
        case secure(site: String, round: Int, SecureMessage)
    }
}

extension FederationCore.Settings {
    /// The server optimizer's settings: `optimizer`, or FedAvg with `serverLearningRate`.
    package var optimizerSettings: ServerOptimizerSettings {
        self.optimizer ?? ServerOptimizerSettings(kind: .fedavg, learningRate: Double(self.serverLearningRate))
    }
}
