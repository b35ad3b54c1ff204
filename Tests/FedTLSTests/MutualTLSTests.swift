import FedTLS
import Foundation
import NIOCore
import NIOSSL
import Testing

/// End-to-end mutual TLS on 127.0.0.1 (ephemeral ports): the happy path and one test per reason to refuse.
/// Under TLS 1.3 a client finishes its side of the handshake before the server has checked the client's
/// certificate, so refusals of a client are asserted on the server (its handshake fails, it never sees an
/// authenticated peer or any bytes) and on the client's first read (an alert) — never on the client's handshake.
@Suite(.timeLimit(.minutes(1)))
struct MutualTLSTests {
    static let payload = Array("hello from a site".utf8)
    static let welcome = Array("welcome".utf8)

    @Test func serverReadsTheVerifiedSiteNameAndTheClientsBytes() async throws {
        try await TestPKI.with(sites: ["site-a"]) { pki in
            try await Self.exchange(server: pki.coordinator(), client: pki.site("site-a").makeClientContext()) {
                serverSaw,
                clientSaw in

                guard case .site(let site, let bytes, let channel) = serverSaw else {
                    Issue.record("server saw \(serverSaw)")
                    return
                }
                #expect(site == "site-a")
                #expect(bytes == Self.payload)
                let siteFromChannel = try await PeerIdentity.siteName(of: channel)
                #expect(siteFromChannel == "site-a")
                #expect(clientSaw == .received(Self.welcome))
            }
        }
    }

    @Test func clientDiallingTheIPAddressInTheCertificateIsAccepted() async throws {
        try await TestPKI.with { pki in
            try await Self.exchange(
                server: pki.coordinator(),
                client: pki.site().makeClientContext(),
                coordinatorHost: "127.0.0.1"
            ) { serverSaw, clientSaw in

                guard case .site("site-a", _, _) = serverSaw else {
                    Issue.record("server saw \(serverSaw)")
                    return
                }
                #expect(clientSaw == .received(Self.welcome))
            }
        }
    }

    @Test func serverRefusesClientWithoutCertificate() async throws {
        try await TestPKI.with { pki in
            var configuration = try pki.site().makeClientConfiguration()
            configuration.certificateChain = []
            configuration.privateKey = nil

            try await Self.exchange(server: pki.coordinator(), client: NIOSSLContext(configuration: configuration)) {
                serverSaw,
                clientSaw in

                Self.expectRefusedByServer(
                    serverSaw,
                    clientSaw,
                    server: "PEER_DID_NOT_RETURN_A_CERTIFICATE",
                    client: "CERTIFICATE_REQUIRED"
                )
            }
        }
    }

    @Test func serverRefusesClientCertificateFromAnotherCA() async throws {
        try await TestPKI.with { pki in
            let stranger = try CertificateAuthority.generate(validity: .starting(lasting: 86_400))
                .issueSite("site-a", validity: .starting(lasting: 86_400))
            // The stranger trusts our CA, so only the server's check of the client certificate can fail.
            let client = try Identity(
                certificate: stranger.certificate,
                privateKey: stranger.privateKey,
                trustRoot: pki.site().trustRoot
            )

            try await Self.exchange(server: pki.coordinator(), client: client.makeClientContext()) {
                serverSaw,
                clientSaw in

                Self.expectRefusedByServer(
                    serverSaw,
                    clientSaw,
                    server: "CERTIFICATE_VERIFY_FAILED",
                    client: "UNKNOWN_CA"
                )
            }
        }
    }

    @Test func serverRefusesExpiredClientCertificate() async throws {
        try await TestPKI.with { pki in
            let now = Date()
            let expired = try pki.folder.loadAuthority().issueSite(
                "site-a",
                validity: CertificateValidity(
                    notValidBefore: now.addingTimeInterval(-2 * 86_400),
                    notValidAfter: now.addingTimeInterval(-86_400)
                )
            )

            try await Self.exchange(server: pki.coordinator(), client: expired.makeClientContext()) {
                serverSaw,
                clientSaw in

                Self.expectRefusedByServer(
                    serverSaw,
                    clientSaw,
                    server: "CERTIFICATE_VERIFY_FAILED",
                    client: "CERTIFICATE_EXPIRED"
                )
            }
        }
    }

    @Test func serverRefusesTLS12Client() async throws {
        try await TestPKI.with { pki in
            var configuration = try pki.site().makeClientConfiguration()
            configuration.minimumTLSVersion = .tlsv12
            configuration.maximumTLSVersion = .tlsv12

            try await Self.exchange(server: pki.coordinator(), client: NIOSSLContext(configuration: configuration)) {
                serverSaw,
                clientSaw in

                Self.expectRefusedByServer(
                    serverSaw,
                    clientSaw,
                    server: "UNSUPPORTED_PROTOCOL",
                    client: "PROTOCOL_VERSION"
                )
            }
        }
    }

    @Test func clientRefusesCoordinatorWhoseCertificateLacksTheDialledName() async throws {
        // The coordinator's certificate names neither "localhost" nor 127.0.0.1, the address actually dialled.
        try await TestPKI.with(hosts: ["coordinator.example.org"]) { pki in
            try await Self.exchange(
                server: pki.coordinator(),
                client: pki.site().makeClientContext(),
                coordinatorHost: "localhost"
            ) { serverSaw, clientSaw in

                guard case .failure(let reason) = clientSaw else {
                    Issue.record("client accepted a coordinator certificate without 'localhost': \(clientSaw)")
                    return
                }
                #expect(reason.contains("failedToValidateHostname"))
                if case .site(let site, _, _) = serverSaw { Issue.record("server authenticated \(site)") }
            }
        }
    }

    @Test func clientRefusesCoordinatorFromAnotherCA() async throws {
        try await TestPKI.with { pki in
            let impostor = try CertificateAuthority.generate(validity: .starting(lasting: 86_400))
                .issueCoordinator(hosts: CoordinatorHost.defaults, validity: .starting(lasting: 86_400))

            try await Self.exchange(server: impostor, client: pki.site().makeClientContext()) { serverSaw, clientSaw in

                guard case .failure(let reason) = clientSaw else {
                    Issue.record("client accepted a coordinator signed by another CA: \(clientSaw)")
                    return
                }
                #expect(reason.contains("CERTIFICATE_VERIFY_FAILED"))
                if case .site(let site, _, _) = serverSaw { Issue.record("server authenticated \(site)") }
            }
        }
    }

    /// Starts a server for `server`, connects a client with `client` that sends ``payload``, hands `body` what
    /// each side saw (server first), and closes both afterwards.
    private static func exchange(
        server: Identity,
        client: NIOSSLContext,
        coordinatorHost: String = "localhost",
        _ body: (ServerSaw, ClientSaw) async throws -> Void
    ) async throws {
        let listener = try await TLSTestServer.start(context: server.makeServerContext(), expecting: Self.payload.count)
        try await listener.closing { listener in
            let connection = try await TLSTestClient.connect(
                port: listener.port,
                context: client,
                coordinatorHost: coordinatorHost,
                payload: Self.payload
            )
            try await connection.closing { connection in
                let serverSaw = try await listener.outcome()
                let clientSaw = try await connection.outcome()
                try await body(serverSaw, clientSaw)
            }
        }
    }

    /// The server's handshake failed with `server` in its error (no authenticated peer, no bytes), and the
    /// client's first read failed with the alert `client` (its own side of the handshake may have succeeded).
    private static func expectRefusedByServer(
        _ serverSaw: ServerSaw,
        _ clientSaw: ClientSaw,
        server: String,
        client: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        switch serverSaw {
        case .site(let site, _, _):
            Issue.record("server authenticated '\(site)'", sourceLocation: sourceLocation)
        case .failure(let reason):
            #expect(reason.contains("handshakeFailed"), "server saw: \(reason)", sourceLocation: sourceLocation)
            #expect(reason.contains(server), "server saw: \(reason)", sourceLocation: sourceLocation)
        }
        switch clientSaw {
        case .received(let bytes):
            Issue.record(
                "client read \(bytes.count) bytes from a server that should refuse it",
                sourceLocation: sourceLocation
            )
        case .failure(let reason):
            #expect(reason.contains(client), "client saw: \(reason)", sourceLocation: sourceLocation)
        }
    }
}
