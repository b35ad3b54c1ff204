import Crypto
import FedTLS
import Foundation
import NIOSSL
import Testing
import X509

/// The site name taken from a verified peer certificate, and what is refused.
struct PeerIdentityTests {
    @Test func namesSiteFromItsCertificate() async throws {
        try await TestPKI.with(sites: ["site-a"]) { pki in
            let pem = try pki.site().certificatePEM()
            let certificate = try NIOSSLCertificate(bytes: Array(pem.utf8), format: .pem)

            #expect(try PeerIdentity.siteName(of: certificate) == "site-a")
        }
    }

    @Test func refusesConnectionWithoutPeerCertificate() throws {
        #expect(throws: PKIError.noPeerCertificate) { try PeerIdentity.siteName(of: nil as NIOSSLCertificate?) }
    }

    @Test func refusesCoordinatorCertificateAsSite() async throws {
        try await TestPKI.with { pki in
            let coordinator = try pki.coordinator().certificate

            #expect(throws: PKIError.peerWithoutSiteName(subject: "\(coordinator.subject)")) {
                try PeerIdentity.siteName(of: coordinator)
            }
        }
    }

    @Test func refusesCertificateWithSiteNameButWithoutClientAuth() async throws {
        try await TestPKI.with { pki in
            let authority = try pki.folder.loadAuthority()
            let key = P256.Signing.PrivateKey()
            let certificate = try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: Certificate.PublicKey(key.publicKey),
                notValidBefore: Date().addingTimeInterval(-60),
                notValidAfter: Date().addingTimeInterval(3_600),
                issuer: authority.certificate.subject,
                subject: DistinguishedName { CommonName("site-z") },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: Certificate.Extensions { try ExtendedKeyUsage([.serverAuth]) },
                issuerPrivateKey: authority.privateKey
            )

            #expect(throws: PKIError.peerNotASite(site: "site-z")) { try PeerIdentity.siteName(of: certificate) }
        }
    }
}
