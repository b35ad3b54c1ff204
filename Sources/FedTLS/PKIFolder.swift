import Foundation
import X509

/// A federation folder on disk, as written by `fedtune certs init` and `fedtune certs issue`:
///
///     ca.pem, ca-key.pem                      the CA (keep ca-key.pem offline)
///     coordinator/cert.pem, key.pem, ca.pem   the coordinator's identity
///     sites/SITE/cert.pem, key.pem, ca.pem    one identity per site (a site's --identity)
///
/// Nothing is ever overwritten, and a step that fails removes the files it had written.
package struct PKIFolder: Sendable {
    /// One file written, with its permission bits (0600 for keys, 0644 for certificates).
    package struct WrittenFile: Sendable, Equatable {
        package let url: URL
        package let mode: UInt16
    }

    package let root: URL

    package init(_ root: URL) {
        self.root = root
    }

    package var caCertificate: URL { self.root.appendingPathComponent("ca.pem") }
    package var caPrivateKey: URL { self.root.appendingPathComponent("ca-key.pem") }
    package var coordinatorDirectory: URL { self.root.appendingPathComponent("coordinator", isDirectory: true) }

    /// The identity folder of `site` (the name is not checked here).
    package func siteDirectory(_ site: String) -> URL {
        self.root.appendingPathComponent("sites", isDirectory: true).appendingPathComponent(site, isDirectory: true)
    }

    /// Makes a new CA and the coordinator's certificate for `hosts`; refuses a folder that already has a CA.
    package func initialise(
        hosts: [String] = CoordinatorHost.defaults,
        caLifetime: TimeInterval = CertificateValidity.defaultCALifetime,
        coordinatorLifetime: TimeInterval = CertificateValidity.defaultLeafLifetime,
        now: Date = Date()
    ) throws -> [WrittenFile] {
        for existing in [self.caCertificate, self.caPrivateKey]
        where FileManager.default.fileExists(atPath: existing.path) {
            throw PKIError.caAlreadyExists(path: existing.path)
        }
        let authority = try CertificateAuthority.generate(
            validity: CertificateValidity.starting(at: now, lasting: caLifetime)
        )
        let coordinator = try authority.issueCoordinator(
            hosts: hosts,
            validity: CertificateValidity.starting(at: now, lasting: coordinatorLifetime)
        )

        var written = WriteLog()
        do {
            try PEMFile.makeDirectory(self.root)
            try written.create(authority.certificatePEM(), at: self.caCertificate, mode: PEMFile.publicMode)
            try written.create(authority.privateKeyPEM(), at: self.caPrivateKey, mode: PEMFile.privateMode)
            try written.createIdentity(coordinator, in: self.coordinatorDirectory)
        } catch {
            written.rollBack()
            throw error
        }
        return written.files
    }

    /// Issues a certificate for `site` into `sites/SITE/`; refuses a bad name, a folder without a CA, an
    /// expired CA and a site that already has a certificate.
    package func issueSite(
        _ site: String,
        lifetime: TimeInterval = CertificateValidity.defaultLeafLifetime,
        now: Date = Date()
    ) throws -> [WrittenFile] {
        try SiteName.validate(site)
        let authority = try self.loadAuthority()
        guard authority.certificate.notValidAfter > now else {
            throw PKIError.caExpired(path: self.caCertificate.path, notValidAfter: authority.certificate.notValidAfter)
        }
        let directory = self.siteDirectory(site)
        for file in [Identity.certificateFile, Identity.privateKeyFile] {
            let url = directory.appendingPathComponent(file)
            if FileManager.default.fileExists(atPath: url.path) {
                throw PKIError.siteAlreadyIssued(site: site, path: url.path)
            }
        }
        let identity = try authority.issueSite(site, validity: CertificateValidity.starting(at: now, lasting: lifetime))

        var written = WriteLog()
        do {
            try written.createIdentity(identity, in: directory)
        } catch {
            written.rollBack()
            throw error
        }
        return written.files
    }

    /// The CA from ca.pem and ca-key.pem; a missing file says to run `fedtune certs init` first.
    package func loadAuthority() throws -> CertificateAuthority {
        let missing = { (path: String) in PKIError.notInitialised(missing: path, directory: self.root.path) }
        let certificate = try Identity.loadCertificate(self.caCertificate, missing: missing)
        try Identity.checkPrivate(self.caPrivateKey)
        let privateKey = try Identity.loadPrivateKey(self.caPrivateKey, missing: missing)
        guard privateKey.publicKey == certificate.publicKey else {
            throw PKIError.keyDoesNotMatchCertificate(key: self.caPrivateKey.path, certificate: self.caCertificate.path)
        }
        return CertificateAuthority(certificate: certificate, privateKey: privateKey)
    }
}

/// The files one step has created, so that a failure part-way removes them again.
private struct WriteLog {
    var files: [PKIFolder.WrittenFile] = []

    mutating func create(_ text: String, at url: URL, mode: mode_t) throws {
        try PEMFile.create(text, at: url, mode: mode)
        self.files.append(PKIFolder.WrittenFile(url: url, mode: UInt16(mode)))
    }

    /// cert.pem (0644), key.pem (0600) and ca.pem (0644) in `directory`.
    mutating func createIdentity(_ identity: Identity, in directory: URL) throws {
        try PEMFile.makeDirectory(directory)
        try self.create(
            identity.certificatePEM(),
            at: directory.appendingPathComponent(Identity.certificateFile),
            mode: PEMFile.publicMode
        )
        try self.create(
            identity.privateKeyPEM(),
            at: directory.appendingPathComponent(Identity.privateKeyFile),
            mode: PEMFile.privateMode
        )
        try self.create(
            identity.trustRootPEM(),
            at: directory.appendingPathComponent(Identity.trustRootFile),
            mode: PEMFile.publicMode
        )
    }

    func rollBack() {
        for file in self.files {
            try? FileManager.default.removeItem(at: file.url)
        }
    }
}
