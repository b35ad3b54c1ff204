import CoreMetrics
import FedRounds

/// The coordinator's metrics, as swift-metrics handles on a registry of their own. The
/// numbers come from what the coordinator already has: the core's actions (sites sampled,
/// updates rejected, retries), the round records it writes (durations, reports, failures,
/// bytes, clip factors, ε) and the time a checkpoint took; `exposition()` is what
/// `/metrics` serves.
package final class CoordinatorMeters: Sendable {
    package let factory: PrometheusFactory
    private let roundsFinished: Counter
    private let lastRound: Meter
    private let roundSeconds: Recorder
    private let roundsRetried: Counter
    private let sitesConnected: Meter
    private let sitesSampled: Meter
    private let sitesSampledTotal: Counter
    private let siteReports: Counter
    private let updatesRejected: Counter
    private let bytesIn: Counter
    private let baseModelBytes: Counter
    private let trainableBytes: Counter
    private let updateNorm: Recorder
    private let clipFactor: Recorder
    private let checkpointSeconds: Recorder
    /// Only under differential privacy: a federation without it has no ε to show.
    private let epsilon: Meter?
    private let failures: [FailureCategory: Counter]

    /// Registers every coordinator metric; `privacy` adds the ε gauge. `completedRounds`
    /// is where a resumed run starts.
    package init(privacy: Bool, completedRounds: Int, factory: PrometheusFactory = PrometheusFactory()) {
        self.factory = factory
        func counter(_ metric: MetricDescription, _ labels: [(String, String)] = []) -> Counter {
            Counter(label: metric.name, dimensions: labels, factory: factory)
        }
        func meter(_ metric: MetricDescription) -> Meter { Meter(label: metric.name, factory: factory) }
        func histogram(_ metric: MetricDescription) -> Recorder {
            Recorder(label: metric.name, aggregate: true, factory: factory)
        }
        self.roundsFinished = counter(MetricCatalog.roundsFinished)
        self.lastRound = meter(MetricCatalog.lastRound)
        self.roundSeconds = histogram(MetricCatalog.roundSeconds)
        self.roundsRetried = counter(MetricCatalog.roundsRetried)
        self.sitesConnected = meter(MetricCatalog.sitesConnected)
        self.sitesSampled = meter(MetricCatalog.sitesSampled)
        self.sitesSampledTotal = counter(MetricCatalog.sitesSampledTotal)
        self.siteReports = counter(MetricCatalog.siteReports)
        self.updatesRejected = counter(MetricCatalog.updatesRejected)
        self.bytesIn = counter(MetricCatalog.bytesIn)
        self.baseModelBytes = counter(MetricCatalog.bytesOut, [("kind", "base_model")])
        self.trainableBytes = counter(MetricCatalog.bytesOut, [("kind", "trainable")])
        self.updateNorm = histogram(MetricCatalog.updateNorm)
        self.clipFactor = histogram(MetricCatalog.clipFactor)
        self.checkpointSeconds = histogram(MetricCatalog.checkpointSeconds)
        self.epsilon = privacy ? meter(MetricCatalog.epsilon) : nil
        var failures: [FailureCategory: Counter] = [:]
        for category in FailureCategory.allCases {
            failures[category] = counter(MetricCatalog.siteFailures, [("reason", category.rawValue)])
        }
        self.failures = failures
        self.lastRound.set(completedRounds)
    }

    package func connected(_ count: Int) { self.sitesConnected.set(count) }

    /// A round (or a retry of it) started with `count` sites sampled.
    package func roundStarted(sampled count: Int) {
        self.sitesSampled.set(count)
        self.sitesSampledTotal.increment(by: count)
    }

    package func received(updateNorm norm: Double) {
        if norm.isFinite { self.updateNorm.record(norm) }
    }

    package func rejectedUpdate() { self.updatesRejected.increment() }

    package func retriedRound() { self.roundsRetried.increment() }

    /// A round's record, as it goes into rounds.jsonl.
    package func closed(_ record: RoundRecord) {
        self.roundsFinished.increment()
        self.lastRound.set(record.round)
        self.roundSeconds.record(record.seconds)
        self.siteReports.increment(by: record.sites.count)
        for reason in record.failures.values { self.failures[FailureCategory(reason: reason)]?.increment() }
        if let bytes = record.bytes {
            self.bytesIn.increment(by: bytes.updates)
            self.baseModelBytes.increment(by: bytes.baseModel)
            self.trainableBytes.increment(by: bytes.trainable)
        }
        for factor in record.clipScales.values where factor.isFinite { self.clipFactor.record(factor) }
        if let privacy = record.privacy { self.epsilon?.set(privacy.epsilon) }
    }

    package func checkpointWritten(seconds: Double) { self.checkpointSeconds.record(seconds) }

    /// ε as a resumed run starts (the ledger rebuilt from the records).
    package func spent(epsilon: Double) { self.epsilon?.set(epsilon) }

    /// Every metric in Prometheus's text format.
    package func exposition() -> [UInt8] { self.factory.exposition() }
}
