import FedTLS
import Foundation
import Testing
import X509

/// `fedtune certs init` / `issue` on disk: the files, their modes, what the certificates say, and refusals.
struct PKIFolderTests {
    @Test func initWritesCAAndCoordinatorFilesWithKeysOwnerOnly() async throws {
        try await withTemporaryDirectory { directory in
            let folder = PKIFolder(directory.appendingPathComponent("certs"))

            let written = try folder.initialise()

            let coordinator = folder.coordinatorDirectory
            #expect(
                written.map(\.url.path) == [
                    folder.caCertificate.path, folder.caPrivateKey.path,
                    coordinator.appendingPathComponent("cert.pem").path,
                    coordinator.appendingPathComponent("key.pem").path,
                    coordinator.appendingPathComponent("ca.pem").path,
                ]
            )
            #expect(written.map(\.mode) == [0o644, 0o600, 0o644, 0o600, 0o644])
            for file in written {
                #expect(try permissions(of: file.url) == Int(file.mode), "\(file.url.path)")
            }
        }
    }

    @Test func issueWritesSiteFolderWithKeyOwnerOnly() async throws {
        try await TestPKI.with(sites: []) { pki in
            let written = try pki.folder.issueSite("site-a")

            let site = pki.folder.siteDirectory("site-a")
            #expect(written.map(\.url.lastPathComponent) == ["cert.pem", "key.pem", "ca.pem"])
            #expect(written.allSatisfy { $0.url.deletingLastPathComponent().path == site.path })
            #expect(try permissions(of: site.appendingPathComponent("key.pem")) == 0o600)
            #expect(try permissions(of: site.appendingPathComponent("cert.pem")) == 0o644)
        }
    }

    @Test func caVerifiesCoordinatorAndSiteCertificates() async throws {
        try await TestPKI.with { pki in
            let coordinator = try pki.coordinator()
            let site = try pki.site()
            let roots = CertificateStore([coordinator.trustRoot])
            var serverVerifier = Verifier(rootCertificates: roots) {
                RFC5280Policy()
                ServerIdentityPolicy(serverHostname: "localhost", serverIP: "127.0.0.1")
            }
            var siteVerifier = Verifier(rootCertificates: roots) { RFC5280Policy() }

            let server = await serverVerifier.validate(leaf: coordinator.certificate, intermediates: CertificateStore())
            let client = await siteVerifier.validate(leaf: site.certificate, intermediates: CertificateStore())

            guard case .validCertificate = server else {
                Issue.record("coordinator: \(server)")
                return
            }
            guard case .validCertificate = client else {
                Issue.record("site: \(client)")
                return
            }
            #expect(site.trustRoot == coordinator.trustRoot)
        }
    }

    @Test func coordinatorCertificateCarriesHostsAndServerAuth() async throws {
        try await TestPKI.with(hosts: ["localhost", "127.0.0.1", "coordinator.example.org", "::1"]) { pki in
            let extensions = try pki.coordinator().certificate.extensions

            let names = try #require(try extensions.subjectAlternativeNames).map(\.description)
            #expect(
                names == [
                    #"DNSName("localhost")"#, "IPAddress([127, 0, 0, 1])", #"DNSName("coordinator.example.org")"#,
                    "IPAddress([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])",
                ]
            )
            #expect(Array(try #require(try extensions.extendedKeyUsage)) == [.serverAuth])
            #expect(try extensions.keyUsage == KeyUsage(digitalSignature: true))
            #expect(try extensions.basicConstraints == .notCertificateAuthority)
        }
    }

    @Test func siteCertificateCarriesSiteNameAndClientAuth() async throws {
        try await TestPKI.with(sites: ["hospital-7"]) { pki in
            let site = try pki.site("hospital-7")

            #expect(site.commonName == "hospital-7")
            #expect(Array(try #require(try site.certificate.extensions.extendedKeyUsage)) == [.clientAuth])
            #expect(try site.certificate.extensions.keyUsage == KeyUsage(digitalSignature: true))
            #expect(try site.certificate.extensions.subjectAlternativeNames == nil)
        }
    }

    @Test func caIsSelfSignedAndMaySignOnlyCertificatesAndCRLs() async throws {
        try await TestPKI.with { pki in
            let ca = try pki.folder.loadAuthority().certificate

            #expect(ca.issuer == ca.subject)
            #expect(ca.publicKey.isValidSignature(ca.signature, for: ca))
            #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
            #expect(try ca.extensions.keyUsage == KeyUsage(keyCertSign: true, cRLSign: true))
        }
    }

    @Test func certificatesStartAMinuteEarlyAndLastTheirLifetime() async throws {
        try await withTemporaryDirectory { directory in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let folder = PKIFolder(directory)

            _ = try folder.initialise(caLifetime: 10 * 86_400, coordinatorLifetime: 86_400, now: now)
            _ = try folder.issueSite("site-a", lifetime: 3_600, now: now)

            let ca = try folder.loadAuthority().certificate
            let coordinator = try Identity(directory: folder.coordinatorDirectory).certificate
            let site = try Identity(directory: folder.siteDirectory("site-a")).certificate
            #expect([ca, coordinator, site].allSatisfy { $0.notValidBefore == now.addingTimeInterval(-60) })
            #expect(ca.notValidAfter == now.addingTimeInterval(10 * 86_400))
            #expect(coordinator.notValidAfter == now.addingTimeInterval(86_400))
            #expect(site.notValidAfter == now.addingTimeInterval(3_600))
        }
    }

    @Test func initRefusesToOverwriteExistingCA() async throws {
        try await TestPKI.with { pki in
            let before = try String(contentsOf: pki.folder.caCertificate, encoding: .utf8)

            #expect(throws: PKIError.caAlreadyExists(path: pki.folder.caCertificate.path)) {
                try pki.folder.initialise()
            }

            #expect(try String(contentsOf: pki.folder.caCertificate, encoding: .utf8) == before)
            #expect(PKIError.caAlreadyExists(path: "x/ca.pem").description.contains("--dir"))
        }
    }

    @Test func initThatFailsPartWayLeavesNoCABehind() async throws {
        try await withTemporaryDirectory { directory in
            let folder = PKIFolder(directory)
            let blocker = folder.coordinatorDirectory.appendingPathComponent("cert.pem")
            try FileManager.default.createDirectory(at: folder.coordinatorDirectory, withIntermediateDirectories: true)
            try Data("not mine".utf8).write(to: blocker)

            #expect(throws: PKIError.fileExists(path: blocker.path)) { try folder.initialise() }

            #expect(!FileManager.default.fileExists(atPath: folder.caCertificate.path))
            #expect(!FileManager.default.fileExists(atPath: folder.caPrivateKey.path))
            #expect(try String(contentsOf: blocker, encoding: .utf8) == "not mine")
        }
    }

    @Test(arguments: ["", "two words", "../escape", "..", ".", "a/b", "café", String(repeating: "x", count: 65)])
    func issueRefusesBadSiteName(_ name: String) async throws {
        try await TestPKI.with(sites: []) { pki in
            #expect(throws: PKIError.invalidSiteName(name)) { try pki.folder.issueSite(name) }

            let sites = pki.folder.root.appendingPathComponent("sites")
            #expect(!FileManager.default.fileExists(atPath: sites.path))
        }
    }

    @Test func issueBeforeInitNamesTheMissingFile() async throws {
        try await withTemporaryDirectory { directory in
            let folder = PKIFolder(directory.appendingPathComponent("certs"))

            let error = #expect(throws: PKIError.self) { try folder.issueSite("site-a") }

            #expect(error == .notInitialised(missing: folder.caCertificate.path, directory: folder.root.path))
            #expect(error?.description.contains("ca.pem") == true)
            #expect(error?.description.contains("fedtune certs init") == true)
        }
    }

    @Test func issueRefusesSiteThatAlreadyHasACertificate() async throws {
        try await TestPKI.with(sites: ["site-a"]) { pki in
            let certificate = pki.folder.siteDirectory("site-a").appendingPathComponent("cert.pem")

            #expect(throws: PKIError.siteAlreadyIssued(site: "site-a", path: certificate.path)) {
                try pki.folder.issueSite("site-a")
            }
        }
    }

    @Test func issueRefusesExpiredCA() async throws {
        try await withTemporaryDirectory { directory in
            let folder = PKIFolder(directory)
            _ = try folder.initialise(caLifetime: 86_400, now: Date().addingTimeInterval(-10 * 86_400))

            let error = #expect(throws: PKIError.self) { try folder.issueSite("site-a") }

            guard case .caExpired(let path, _) = error else {
                Issue.record("got \(String(describing: error))")
                return
            }
            #expect(path == folder.caCertificate.path)
        }
    }
}
