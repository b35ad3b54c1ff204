import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// A site as a service under swift-service-lifecycle: SIGTERM and SIGINT stop it between
/// messages (it throws `CancellationError`; the coordinator sees the connection close and
/// reruns the round without it if needed).
package enum SiteDaemon {
    /// Runs `site` until the federation finishes (returning its rounds) or a signal stops it.
    package static func run(_ site: Site, logger: Logger) async throws -> Int {
        let service = SiteService(site: site)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(
                        service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        return service.rounds.withLock { $0 } ?? 0
    }
}

/// The site's run, cancelled when the group shuts down.
final class SiteService: Service, Sendable {
    let site: Site
    /// Rounds of the finished federation, once the run has returned.
    let rounds = Mutex<Int?>(nil)

    init(site: Site) { self.site = site }

    func run() async throws {
        let site = self.site
        let finished = try await cancelWhenGracefulShutdown { try await site.run() }
        self.rounds.withLock { $0 = finished }
    }
}
