import FedLearning
import FedRounds
import FedTLS
import FedWire
import Foundation

/// Everything a coordinator run needs, as `coordinator.yaml` states it.
package struct CoordinatorConfiguration: Sendable {
    /// Address to listen on (127.0.0.1 in tests; 0.0.0.0 on a server).
    package var host = "127.0.0.1"
    /// Port to listen on; 0 picks a free one (reported through `onListening`).
    package var port = 7443
    /// Folder with the coordinator's cert.pem, key.pem and ca.pem.
    package var identity: URL
    /// The pretrained model folder (model.json + model.safetensors).
    package var model: URL
    /// Where checkpoints and rounds.jsonl go; a restart on it resumes.
    package var state: URL
    /// Checkpoints to keep in the state folder, newest first; nil keeps every round's.
    package var keepCheckpoints: Int?
    package var policy: RoundPolicy
    /// L2 bound on each site's update; nil leaves updates unclipped.
    package var clipNorm: Float?
    package var serverLearningRate: Float = 1
    /// The server optimizer, the robust rule and the sites' compression (`strategy`).
    package var strategy = Strategy()
    /// DP-FedAvg's resolved plan (`privacy` in coordinator.yaml); nil runs plain FedAvg.
    package var privacy: DifferentialPrivacy?
    /// Early stopping on the federated validation loss (`early_stopping`); nil runs every round.
    package var earlyStopping: EarlyStopping.Settings?
    /// Secure aggregation's settings (`secure_aggregation`); nil sends updates in the clear.
    package var secureAggregation: SecureAggregationSettings?
    /// The most examples one site's update or evaluation may weigh; nil bounds each site
    /// only by the count it announced when it joined.
    package var maxExamplesPerSite: Int?
    /// The local training settings sent to sites with each round (each site gets its own seed).
    package var training = TrainingConfiguration()
    /// Site names allowed to join; nil admits every site with a valid certificate.
    package var allowList: Set<String>?
    /// The names or addresses sites dial; the coordinator's certificate must name each.
    /// From coordinator.yaml's `hosts`, or the listening address when it is not a wildcard.
    package var hosts: [String] = []
    /// The federation's revocation list (`fedtune certs revoke`); nil checks none.
    package var revocationList: URL?
    /// The coordinator.yaml this was read from, re-read for the access lists on SIGHUP.
    package var file: URL?
    package var limits = WireLimits()
    /// How long a new connection has to finish the TLS handshake and send `hello`, and how
    /// many connections (and how many not yet admitted) may be open at once.
    package var connections = ConnectionLimits()
    /// Where `/metrics`, `/status.json` and the status page are served (`metrics.listen`);
    /// nil serves nothing.
    package var metrics: MetricsListen?

    /// `metrics: {listen: HOST:PORT}`; port 0 picks a free one (logged, and reported by `run`).
    package struct MetricsListen: Sendable, Equatable {
        package var host: String
        package var port: Int

        package init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    package struct ConnectionLimits: Sendable, Equatable {
        /// Seconds from accept to `hello`: a peer that never starts TLS, stalls after it, or
        /// drips its first frame is closed after this.
        package var helloSeconds: Double = 10
        package var maximum = 1_000
        /// Connections accepted but not yet admitted (handshake or `hello` pending).
        package var maximumPending = 64

        package init() {}
    }

    package init(identity: URL, model: URL, state: URL, policy: RoundPolicy) {
        self.identity = identity
        self.model = model
        self.state = state
        self.policy = policy
    }
}
