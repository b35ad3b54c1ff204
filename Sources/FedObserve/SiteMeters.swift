import CoreMetrics

/// A site's own metrics (`fedtune client --metrics HOST:PORT`): how long it trains, on how
/// many examples, in how many rounds. Counts only: nothing about the data itself.
package final class SiteMeters: Sendable {
    package let factory: PrometheusFactory
    private let trainingSeconds: Recorder
    private let examples: Counter
    private let rounds: Counter

    package init(factory: PrometheusFactory = PrometheusFactory()) {
        self.factory = factory
        self.trainingSeconds = Recorder(
            label: MetricCatalog.siteTrainingSeconds.name, aggregate: true, factory: factory)
        self.examples = Counter(label: MetricCatalog.siteExamples.name, factory: factory)
        self.rounds = Counter(label: MetricCatalog.siteRounds.name, factory: factory)
    }

    /// One round trained locally.
    package func trained(examples: Int, seconds: Double) {
        self.trainingSeconds.record(seconds)
        self.examples.increment(by: examples)
        self.rounds.increment()
    }

    package func exposition() -> [UInt8] { self.factory.exposition() }
}

extension SiteMeters {
    /// Serves these metrics on `/metrics` at `address` (HOST:PORT, from `--metrics`).
    package func serve(address: String, setting: String = "--metrics") async throws(ObserveError) -> ObserveListener {
        let (host, port) = try ObserveError.parse(address: address, setting: setting)
        return try await ObserveListener.start(
            host: host, port: port, setting: setting,
            routes: [
                "/metrics": ObserveRoute(contentType: "text/plain; version=0.0.4; charset=utf-8") { self.exposition() }
            ])
    }
}
