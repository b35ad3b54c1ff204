import Foundation
import SwiftASN1
import X509

/// Who this process is on the wire: its certificate and private key, and the federation CA it trusts. A site's
/// `--identity DIR` and the coordinator's `coordinator/` folder both hold one as cert.pem, key.pem and ca.pem.
package struct Identity: Sendable {
    /// File names inside an identity folder.
    package static let certificateFile = "cert.pem"
    package static let privateKeyFile = "key.pem"
    package static let trustRootFile = "ca.pem"

    /// This process's certificate (the leaf it presents).
    package let certificate: Certificate
    /// The private key of ``certificate``.
    package let privateKey: Certificate.PrivateKey
    /// The federation CA: the only root this process trusts for its peers.
    package let trustRoot: Certificate

    /// An identity from parts already in memory; nothing is checked (tests use this to build broken identities).
    package init(certificate: Certificate, privateKey: Certificate.PrivateKey, trustRoot: Certificate) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.trustRoot = trustRoot
    }

    /// Loads cert.pem, key.pem and ca.pem from `directory`, checking that the key belongs to the certificate and
    /// that the CA signed it, so a mis-copied folder fails here with the file named rather than in a handshake.
    package init(directory: URL) throws {
        let certificateURL = directory.appendingPathComponent(Self.certificateFile)
        let privateKeyURL = directory.appendingPathComponent(Self.privateKeyFile)
        let trustRootURL = directory.appendingPathComponent(Self.trustRootFile)
        let missing = { (path: String) in PKIError.missingIdentityFile(path: path) }

        let certificate = try Self.loadCertificate(certificateURL, missing: missing)
        try Self.checkPrivate(privateKeyURL)
        let privateKey = try Self.loadPrivateKey(privateKeyURL, missing: missing)
        let trustRoot = try Self.loadCertificate(trustRootURL, missing: missing)

        guard privateKey.publicKey == certificate.publicKey else {
            throw PKIError.keyDoesNotMatchCertificate(key: privateKeyURL.path, certificate: certificateURL.path)
        }
        guard Self.isIssued(certificate, by: trustRoot) else {
            throw PKIError.notSignedByCA(certificate: certificateURL.path, ca: trustRootURL.path)
        }
        self.init(certificate: certificate, privateKey: privateKey, trustRoot: trustRoot)
    }

    /// Like ssh with its keys: a key its group or others may read is refused, not used with
    /// a warning (a missing file is left to the loader, which names it).
    static func checkPrivate(_ url: URL) throws {
        // The file a link points to (a Kubernetes Secret volume is links into a hidden folder):
        // a link's own mode is always 777, and `chmod` on the link changes the target.
        let target = url.resolvingSymlinksInPath()
        if let mode = (try? FileManager.default.attributesOfItem(atPath: target.path))?[.posixPermissions] as? Int,
            mode & 0o077 != 0
        {
            throw PKIError.keyTooOpen(path: url.path, mode: mode)
        }
    }

    /// The certificate's subject common name: the site name for a site's identity.
    package var commonName: String? {
        Self.commonNames(of: self.certificate).first
    }

    /// ``certificate`` as PEM text.
    package func certificatePEM() throws -> String {
        try Self.pem(of: self.certificate)
    }

    /// ``privateKey`` as PKCS#8 PEM text.
    package func privateKeyPEM() throws -> String {
        try Self.pem(of: self.privateKey)
    }

    /// ``trustRoot`` as PEM text.
    package func trustRootPEM() throws -> String {
        try Self.pem(of: self.trustRoot)
    }
}

extension Identity {
    /// Every subject common name of `certificate`, in order.
    static func commonNames(of certificate: Certificate) -> [String] {
        certificate.subject.flatMap { $0 }
            .filter { $0.type == .RDNAttributeType.commonName }
            .compactMap { String($0.value) }
    }

    /// Whether `issuer`'s key signed `certificate` and `issuer` is named as its issuer.
    static func isIssued(_ certificate: Certificate, by issuer: Certificate) -> Bool {
        certificate.issuer == issuer.subject
            && issuer.publicKey.isValidSignature(certificate.signature, for: certificate)
    }

    static func pem(of certificate: Certificate) throws -> String {
        do {
            return try certificate.serializeAsPEM().pemString
        } catch {
            throw PKIError.signingFailed(subject: "\(certificate.subject)", reason: "\(error)")
        }
    }

    static func pem(of privateKey: Certificate.PrivateKey) throws -> String {
        do {
            return try privateKey.serializeAsPEM().pemString
        } catch {
            throw PKIError.signingFailed(subject: "a private key", reason: "\(error)")
        }
    }

    static func loadCertificate(_ url: URL, missing: (String) -> PKIError) throws -> Certificate {
        let text = try PEMFile.read(url, missing: missing)
        do {
            return try Certificate(pemEncoded: text)
        } catch {
            throw PKIError.unparsableFile(path: url.path, expected: "a PEM certificate", reason: "\(error)")
        }
    }

    static func loadPrivateKey(_ url: URL, missing: (String) -> PKIError) throws -> Certificate.PrivateKey {
        let text = try PEMFile.read(url, missing: missing)
        do {
            return try Certificate.PrivateKey(pemEncoded: text)
        } catch {
            throw PKIError.unparsableFile(path: url.path, expected: "a PEM private key", reason: "\(error)")
        }
    }
}
