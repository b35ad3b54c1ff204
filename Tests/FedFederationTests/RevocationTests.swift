import FedClient
import FedCoordinator
import FedTLS
import FedTestSupport
import Foundation
import Testing

/// `fedtune certs revoke` writes a CRL that the coordinator enforces at join, reloads on
/// SIGHUP without dropping other sites, and that openssl reads.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct RevocationTests {
    /// A coordinator.yaml naming the federation's crl.pem, loaded as the daemon would.
    static func configuration(in folder: URL) throws -> CoordinatorConfiguration {
        let yaml = folder.appendingPathComponent("coordinator.yaml")
        try """
        listen: 127.0.0.1:0
        identity: certs/coordinator
        model: model
        state: state
        rounds: 1
        min_sites: 3
        crl: certs/crl.pem
        """.write(to: yaml, atomically: true, encoding: .utf8)
        return try CoordinatorConfiguration.load(yaml)
    }

    static func openssl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func aRevokedSiteIsRefusedWithASentenceAndOpensslAgreesWithTheList() async throws {
        let (folder, _, sites) = try FederationTests.prepare(sites: ["site-a", "site-b", "site-c"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = PKIFolder(folder.appendingPathComponent("certs"))
        let list = try pki.revoke("site-c")
        #expect(list.number == 1 && list.revoked.count == 1)
        #expect(try pki.revocationList() == list, "the list reads back, checked against the CA")

        let ca = pki.caCertificate.path
        let crl = pki.revocationListURL.path
        let revoked = try Self.openssl([
            "verify", "-crl_check", "-CAfile", ca, "-CRLfile", crl, sites[2].identity.path + "/cert.pem",
        ])
        #expect(revoked.status != 0 && revoked.output.contains("certificate revoked"), "\(revoked.output)")
        let good = try Self.openssl([
            "verify", "-crl_check", "-CAfile", ca, "-CRLfile", crl, sites[0].identity.path + "/cert.pem",
        ])
        #expect(good.status == 0, "\(good.output)")

        let coordinator = try Coordinator(
            configuration: try Self.configuration(in: folder),
            logger: FederationTests.quiet
        )
        let (running, port) = try await FederationTests.start(coordinator)
        var site = sites[2]
        site.coordinatorPort = port
        let error = await #expect(throws: SiteError.self) {
            _ = try await Site(configuration: site, logger: FederationTests.quiet).run()
        }
        #expect(
            error
                == .refused(
                    message: "site 'site-c' holds a certificate this federation has revoked (its crl) "
                        + "---> HINT: ask the federation for a new certificate"
                )
        )
        await coordinator.shutdown()
        _ = try await running.value
    }

    @Test func reloadingTheListsDropsOnlyTheSiteNowRevoked() async throws {
        let (folder, _, sites) = try FederationTests.prepare(sites: ["site-a", "site-b", "site-c"])
        defer { try? FileManager.default.removeItem(at: folder) }
        let pki = PKIFolder(folder.appendingPathComponent("certs"))
        try pki.revoke("site-c")
        let coordinator = try Coordinator(
            configuration: try Self.configuration(in: folder),
            logger: FederationTests.quiet
        )
        let (running, port) = try await FederationTests.start(coordinator)
        // Two sites wait for a third (min_sites 3), so no round starts.
        let a = Task { try await ScriptedSite(identity: sites[0].identity, port: port, steps: []).run() }
        let b = Task { try await ScriptedSite(identity: sites[1].identity, port: port, steps: []).run() }
        for _ in 0..<1000 where await coordinator.connectedSites.count < 2 {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(await coordinator.connectedSites == ["site-a", "site-b"])

        try pki.revoke("site-b")
        await coordinator.reloadAccessLists()
        let outcome = try await b.value
        #expect(outcome.closed)
        #expect(
            outcome.failures.map(\.message).first?.contains(
                "site 'site-b' holds a certificate this federation has revoked"
            ) == true
        )
        for _ in 0..<1000 where await coordinator.connectedSites.count > 1 {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(await coordinator.connectedSites == ["site-a"], "the other site stays connected")

        await coordinator.shutdown()
        _ = try await running.value
        _ = try? await a.value
    }
}
