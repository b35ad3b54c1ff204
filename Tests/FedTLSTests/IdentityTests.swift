import FedTLS
import Foundation
import NIOSSL
import Testing
import X509

/// Loading an identity folder (cert.pem, key.pem, ca.pem) and the TLS configurations made from it.
struct IdentityTests {
    @Test func loadsSiteFolder() async throws {
        try await TestPKI.with(sites: ["site-a"]) { pki in
            let identity = try pki.site("site-a")

            #expect(identity.commonName == "site-a")
            #expect(identity.trustRoot == (try pki.folder.loadAuthority().certificate))
            #expect(identity.privateKey.publicKey == identity.certificate.publicKey)
        }
    }

    /// A key its group or others may read is refused with the chmod that fixes it.
    @Test(arguments: [0o644, 0o640, 0o604])
    func aKeyOthersCanReadIsRefusedWithTheChmodToRun(mode: Int) async throws {
        try await TestPKI.with(sites: ["site-a"]) { pki in
            let key = pki.folder.siteDirectory("site-a").appendingPathComponent("key.pem")
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: key.path)
            let error = #expect(throws: PKIError.keyTooOpen(path: key.path, mode: mode)) {
                try Identity(directory: pki.folder.siteDirectory("site-a"))
            }
            #expect("\(error!)".contains("chmod 600 \(key.path)"))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
            _ = try Identity(directory: pki.folder.siteDirectory("site-a"))
        }
    }

    /// A Kubernetes Secret volume holds links (key.pem → ..data/key.pem → ..2026_…/key.pem):
    /// the mode checked is the file's, not the link's (always 777).
    @Test func aLinkedKeyIsJudgedByTheFileItPointsTo() async throws {
        try await TestPKI.with(sites: ["site-a"]) { pki in
            let folder = pki.folder.siteDirectory("site-a")
            let key = folder.appendingPathComponent("key.pem")
            let hidden = folder.appendingPathComponent("..2026_12_07/key.pem")
            try FileManager.default.createDirectory(at: hidden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: key, to: hidden)
            try FileManager.default.createSymbolicLink(atPath: key.path, withDestinationPath: "..2026_12_07/key.pem")
            _ = try Identity(directory: folder)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: hidden.path)
            #expect(throws: PKIError.keyTooOpen(path: key.path, mode: 0o644)) { try Identity(directory: folder) }
        }
    }

    @Test(arguments: ["cert.pem", "key.pem", "ca.pem"])
    func namesMissingFile(_ file: String) async throws {
        try await TestPKI.with { pki in
            let missing = pki.folder.siteDirectory("site-a").appendingPathComponent(file)
            try FileManager.default.removeItem(at: missing)

            #expect(throws: PKIError.missingIdentityFile(path: missing.path)) {
                try Identity(directory: pki.folder.siteDirectory("site-a"))
            }
        }
    }

    @Test(arguments: [
        ("cert.pem", "a PEM certificate"), ("key.pem", "a PEM private key"), ("ca.pem", "a PEM certificate"),
    ])
    func namesUnparsableFile(_ file: String, expected: String) async throws {
        try await TestPKI.with { pki in
            let broken = pki.folder.siteDirectory("site-a").appendingPathComponent(file)
            try FileManager.default.removeItem(at: broken)
            try Data("-----BEGIN CERTIFICATE-----\nnot base64\n".utf8).write(to: broken)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: broken.path)

            let error = #expect(throws: PKIError.self) {
                try Identity(directory: pki.folder.siteDirectory("site-a"))
            }

            guard case .unparsableFile(let path, let what, _) = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
            #expect(path == broken.path)
            #expect(what == expected)
        }
    }

    @Test func refusesKeyOfAnotherSite() async throws {
        try await TestPKI.with(sites: ["site-a", "site-b"]) { pki in
            let key = pki.folder.siteDirectory("site-a").appendingPathComponent("key.pem")
            try FileManager.default.removeItem(at: key)
            try FileManager.default.copyItem(
                at: pki.folder.siteDirectory("site-b").appendingPathComponent("key.pem"),
                to: key
            )

            let certificate = pki.folder.siteDirectory("site-a").appendingPathComponent("cert.pem")

            #expect(throws: PKIError.keyDoesNotMatchCertificate(key: key.path, certificate: certificate.path)) {
                try Identity(directory: pki.folder.siteDirectory("site-a"))
            }
        }
    }

    @Test func refusesCAOfAnotherFederation() async throws {
        try await TestPKI.with { pki in
            let ca = pki.folder.siteDirectory("site-a").appendingPathComponent("ca.pem")
            let stranger = try CertificateAuthority.generate(validity: .starting(lasting: 86_400))
            try FileManager.default.removeItem(at: ca)
            try Data(stranger.certificatePEM().utf8).write(to: ca)

            let certificate = pki.folder.siteDirectory("site-a").appendingPathComponent("cert.pem")

            #expect(throws: PKIError.notSignedByCA(certificate: certificate.path, ca: ca.path)) {
                try Identity(directory: pki.folder.siteDirectory("site-a"))
            }
        }
    }

    @Test func serverConfigurationRequiresTLS13AndAClientCertificateFromTheCA() async throws {
        try await TestPKI.with { pki in
            let configuration = try pki.coordinator().makeServerConfiguration()

            #expect(configuration.minimumTLSVersion == .tlsv13)
            #expect(configuration.certificateVerification == .noHostnameVerification)
            #expect(configuration.trustRoots == .certificates([try Self.caCertificate(pki)]))
            #expect(configuration.certificateChain.count == 1)
            #expect(configuration.privateKey != nil)
        }
    }

    @Test func clientConfigurationVerifiesCoordinatorAndHostAgainstTheCAOnly() async throws {
        try await TestPKI.with { pki in
            let configuration = try pki.site().makeClientConfiguration()

            #expect(configuration.minimumTLSVersion == .tlsv13)
            #expect(configuration.certificateVerification == .fullVerification)
            #expect(configuration.trustRoots == .certificates([try Self.caCertificate(pki)]))
            #expect(configuration.additionalTrustRoots.isEmpty)
            #expect(configuration.certificateChain.count == 1)
            #expect(configuration.privateKey != nil)
        }
    }

    private static func caCertificate(_ pki: TestPKI) throws -> NIOSSLCertificate {
        try #require(try NIOSSLCertificate.fromPEMFile(pki.folder.caCertificate.path).first)
    }
}
