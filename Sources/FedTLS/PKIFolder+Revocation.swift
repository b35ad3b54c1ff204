import Foundation
import X509

extension PKIFolder {
    /// The federation's revocation list, next to ca.pem; coordinator.yaml's `crl` names it.
    package var revocationListURL: URL { self.root.appendingPathComponent("crl.pem") }

    /// The current revocation list (empty when none was written yet), checked against the CA.
    package func revocationList() throws -> RevocationList {
        guard let text = try? String(contentsOf: self.revocationListURL, encoding: .utf8) else {
            return RevocationList()
        }
        let authority = try self.loadAuthority()
        return try RevocationList(pem: text, verifiedBy: authority.certificate, path: self.revocationListURL.path)
    }

    /// Revokes `site`'s certificate (the one in sites/SITE/cert.pem): adds its serial number
    /// to crl.pem, signed again by the CA with the next CRL number. The site's folder stays
    /// as it is; a site that needs to return gets a new certificate after its folder is removed.
    @discardableResult
    package func revoke(_ site: String, now: Date = Date()) throws -> RevocationList {
        try SiteName.validate(site)
        let authority = try self.loadAuthority()
        let url = self.siteDirectory(site).appendingPathComponent(Identity.certificateFile)
        let certificate = try Identity.loadCertificate(url) { _ in PKIError.notIssued(site: site, path: url.path) }
        guard Identity.isIssued(certificate, by: authority.certificate) else {
            throw PKIError.notSignedByCA(certificate: url.path, ca: self.caCertificate.path)
        }
        var list = try self.revocationList()
        list.revoked.insert(certificate.serialNumber)
        list.number += 1
        let text = try list.pem(signedBy: authority, now: now)
        do {
            try Data(text.utf8).write(to: self.revocationListURL, options: .atomic)
        } catch {
            throw PKIError.writeFailed(path: self.revocationListURL.path, reason: error.localizedDescription)
        }
        return list
    }
}
