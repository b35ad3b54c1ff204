import Crypto
import Foundation
import X509

/// The federation's CA: a self-signed P-256 certificate and its key, which issue the coordinator's server
/// certificate and one client certificate per site. Keys are generated at run time and never leave this type
/// except as PEM written by ``PKIFolder``.
package struct CertificateAuthority: Sendable {
    /// The self-signed CA certificate (what every peer trusts).
    package let certificate: Certificate
    /// The CA's signing key; keep it offline.
    package let privateKey: Certificate.PrivateKey

    /// A CA from a certificate and key already loaded; nothing is checked.
    package init(certificate: Certificate, privateKey: Certificate.PrivateKey) {
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// ``certificate`` as PEM text (what every peer's ca.pem holds).
    package func certificatePEM() throws -> String {
        try Identity.pem(of: self.certificate)
    }

    /// ``privateKey`` as PKCS#8 PEM text.
    package func privateKeyPEM() throws -> String {
        try Identity.pem(of: self.privateKey)
    }

    /// A new CA with a fresh P-256 key. The common name carries a random tag so two federations' CAs never
    /// share a name (chain building looks issuers up by name).
    package static func generate(
        validity: CertificateValidity,
        commonName: String = "fedtune federation CA \(Self.randomTag())"
    ) throws -> CertificateAuthority {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try Self.name(commonName)
        let certificate = try Self.sign(
            subject: name,
            issuer: name,
            publicKey: key.publicKey,
            by: key,
            validity: validity,
            label: commonName
        ) {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: key.publicKey)
        }
        return CertificateAuthority(certificate: certificate, privateKey: key)
    }

    /// The coordinator's server certificate: one SubjectAlternativeName per host (DNS name or IP address),
    /// serverAuth only, so it cannot be used to pose as a site.
    package func issueCoordinator(hosts: [String], validity: CertificateValidity) throws -> Identity {
        var seen = Set<String>()
        let names = try hosts.filter { seen.insert($0).inserted }.map(CoordinatorHost.subjectAlternativeName(for:))
        guard !names.isEmpty else { throw PKIError.invalidHost("") }
        return try self.issueLeaf(
            commonName: "fedtune coordinator",
            usage: .serverAuth,
            alternativeNames: SubjectAlternativeNames(names),
            validity: validity
        )
    }

    /// A site's client certificate: subject common name = `site`, clientAuth only. The coordinator takes the
    /// site's identity from this name once the handshake has verified the certificate.
    package func issueSite(_ site: String, validity: CertificateValidity) throws -> Identity {
        try SiteName.validate(site)
        return try self.issueLeaf(commonName: site, usage: .clientAuth, alternativeNames: nil, validity: validity)
    }

    /// A leaf with a fresh P-256 key, signed by this CA.
    private func issueLeaf(
        commonName: String,
        usage: ExtendedKeyUsage.Usage,
        alternativeNames: SubjectAlternativeNames?,
        validity: CertificateValidity
    ) throws -> Identity {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let authorityKeyIdentifier = try? self.certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let certificate = try Self.sign(
            subject: Self.name(commonName),
            issuer: self.certificate.subject,
            publicKey: key.publicKey,
            by: self.privateKey,
            validity: validity,
            label: commonName
        ) {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([usage])
            SubjectKeyIdentifier(hash: key.publicKey)
            AuthorityKeyIdentifier(keyIdentifier: authorityKeyIdentifier)
            if let alternativeNames {
                alternativeNames
            }
        }
        return Identity(certificate: certificate, privateKey: key, trustRoot: self.certificate)
    }

    private static func sign(
        subject: DistinguishedName,
        issuer: DistinguishedName,
        publicKey: Certificate.PublicKey,
        by issuerKey: Certificate.PrivateKey,
        validity: CertificateValidity,
        label: String,
        @ExtensionsBuilder extensions: () throws -> Result<Certificate.Extensions, any Error>
    ) throws -> Certificate {
        do {
            return try Certificate(
                version: .v3,
                serialNumber: Certificate.SerialNumber(),
                publicKey: publicKey,
                notValidBefore: validity.notValidBefore,
                notValidAfter: validity.notValidAfter,
                issuer: issuer,
                subject: subject,
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: extensions().get(),
                issuerPrivateKey: issuerKey
            )
        } catch {
            throw PKIError.signingFailed(subject: label, reason: "\(error)")
        }
    }

    private static func name(_ commonName: String) throws -> DistinguishedName {
        do {
            return try DistinguishedName { CommonName(commonName) }
        } catch {
            throw PKIError.signingFailed(subject: commonName, reason: "\(error)")
        }
    }

    private static func randomTag() -> String {
        (0..<4).map { _ in String(UInt8.random(in: 0...255), radix: 16) }
            .map { $0.count == 1 ? "0" + $0 : $0 }.joined()
    }
}
