import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The coordinator daemon as a service under swift-service-lifecycle: SIGTERM and SIGINT
/// shut it down in order (the open round is left for the next start to rerun, the state
/// folder stays consistent, sites are told), SIGHUP reloads the allow-list and the
/// revocation list while every other site carries on.
package enum CoordinatorDaemon {
    /// Runs the coordinator of `configuration` until every round is done (returning how
    /// many finished) or a signal stops it; `onListening` and `onMetricsListening` receive
    /// the bound ports.
    package static func run(
        configuration: CoordinatorConfiguration,
        logger: Logger,
        onListening: @escaping @Sendable (Int) -> Void = { _ in },
        onMetricsListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws -> Int {
        let coordinator = try Coordinator(configuration: configuration, logger: logger)
        let daemon = CoordinatorService(
            coordinator: coordinator, onListening: onListening, onMetricsListening: onMetricsListening)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    // The coordinator's end (all rounds done, or a stop) ends the whole group.
                    .init(
                        service: daemon, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: AccessListReload(coordinator: coordinator), successTerminationBehavior: .ignore),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        return daemon.rounds.withLock { $0 } ?? 0
    }
}

/// The coordinator's run; a graceful shutdown asks it to stop as SIGTERM always did.
final class CoordinatorService: Service, Sendable {
    let coordinator: Coordinator
    let onListening: @Sendable (Int) -> Void
    let onMetricsListening: @Sendable (Int) -> Void
    /// Rounds finished, once the run has returned.
    let rounds = Mutex<Int?>(nil)

    init(
        coordinator: Coordinator,
        onListening: @escaping @Sendable (Int) -> Void,
        onMetricsListening: @escaping @Sendable (Int) -> Void
    ) {
        self.coordinator = coordinator
        self.onListening = onListening
        self.onMetricsListening = onMetricsListening
    }

    func run() async throws {
        let coordinator = self.coordinator
        let finished = try await withGracefulShutdownHandler {
            try await coordinator.run(onListening: self.onListening, onMetricsListening: self.onMetricsListening)
        } onGracefulShutdown: {
            Task { await coordinator.shutdown() }
        }
        self.rounds.withLock { $0 = finished }
    }
}

/// SIGHUP: read the allow-list and the revocation list again (systemd's `reload`).
struct AccessListReload: Service {
    let coordinator: Coordinator

    func run() async {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            await self.coordinator.reloadAccessLists()
        }
    }
}
