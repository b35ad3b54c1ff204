import FedObserve
import FedRounds
import Foundation
import Logging

extension Coordinator {
    /// Starts the metrics and status listener when coordinator.yaml asks for one, before any
    /// site is accepted: a taken port stops the coordinator with a sentence naming it.
    /// Returns the bound port.
    func startObserving() async throws(ObserveError) -> Int? {
        guard let address = self.configuration.metrics else { return nil }
        let meters = CoordinatorMeters(
            privacy: self.configuration.privacy != nil, completedRounds: self.core.completedRounds)
        if let epsilon = self.core.epsilon { meters.spent(epsilon: epsilon) }
        let history = FederationStatus.Round.history(
            (try? self.state.records()) ?? [], evaluations: (try? self.state.evaluations()) ?? [])
        let setting = "metrics.listen in " + (self.configuration.file?.path ?? "coordinator.yaml")
        let listener = try await ObserveListener.start(
            host: address.host,
            port: address.port,
            setting: setting,
            routes: [
                "/metrics": ObserveRoute(contentType: "text/plain; version=0.0.4; charset=utf-8") {
                    meters.exposition()
                },
                "/status.json": ObserveRoute(contentType: "application/json") { await self.status().json() },
                "/": ObserveRoute(contentType: "text/html; charset=utf-8") {
                    Array(StatusPage.html(await self.status()).utf8)
                },
            ]
        )
        self.observation = Observation(meters: meters, listener: listener, history: history)
        meters.connected(self.sites.count)
        self.logger.info(
            "metrics and status listening",
            metadata: ["metrics.host": "\(listener.host)", "metrics.port": "\(listener.port)"]
        )
        return listener.port
    }

    /// Stops the listener at the end of a run.
    func stopObserving() async {
        await self.observation.listener?.close()
        self.observation.listener = nil
    }

    /// The port `/metrics` is served on, once the run has started it.
    package var metricsPort: Int? { self.observation.listener?.port }

    /// The federation as `/status.json` shows it: phase, open round, sites by state, and
    /// the finished rounds' numbers.
    package func status() -> FederationStatus {
        let phase: String
        var round: Int?
        var states: [String: FederationStatus.SiteState] = [:]
        for site in self.sites.keys { states[site] = .connected }
        switch self.core.phase {
        case .training(let open, let selected, _):
            phase = "training"
            round = open
            let awaiting = Set(self.core.awaiting)
            for site in selected {
                states[site] =
                    awaiting.contains(site)
                    ? .training : self.observation.failed.contains(site) ? .failed : .reported
            }
        case .waitingForSites:
            phase = self.core.awaitingEvaluation.isEmpty ? "waiting_for_sites" : "evaluating"
        case .finished:
            phase = "finished"
        case .stopped:
            phase = "stopped"
        }
        var status = FederationStatus(
            source: "coordinator",
            phase: self.outcome == nil ? phase : (phase == "finished" ? phase : "stopped"),
            round: round,
            completedRounds: self.core.completedRounds,
            plannedRounds: self.configuration.policy.rounds,
            minSites: self.configuration.policy.minSites,
            sites: states.sorted { $0.key < $1.key }.map { FederationStatus.Site(name: $0.key, state: $0.value) },
            rounds: self.observation.history
        )
        if let plan = self.configuration.privacy {
            status.epsilon = self.core.epsilon
            status.delta = plan.delta
            status.targetEpsilon = plan.targetEpsilon
        }
        return status
    }
}
