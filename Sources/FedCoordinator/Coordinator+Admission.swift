import FedTLS
import FedWire
import Foundation
import Logging
import X509

/// Which verified certificates may join: the allow-list of coordinator.yaml and the
/// federation's revocation list, both read at start and again on SIGHUP.
struct Admission: Sendable {
    var allowList: SiteAllowList
    var revocations: RevocationList?

    init(_ configuration: CoordinatorConfiguration) throws {
        self.allowList = SiteAllowList(configuration.allowList)
        guard let url = configuration.revocationList else { return }
        let identity = try Identity(directory: configuration.identity)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw CoordinatorError.invalidConfiguration(
                "crl: \(url.path) cannot be read ---> HINT: `fedtune certs revoke SITE` writes it, or remove the key"
            )
        }
        self.revocations = try RevocationList(pem: text, verifiedBy: identity.trustRoot, path: url.path)
    }

    /// The site's name if its certificate may join; otherwise why not.
    func admit(_ certificate: Certificate) throws -> String {
        let site = try PeerIdentity.siteName(of: certificate)
        if self.revocations?.contains(certificate) == true { throw PKIError.siteRevoked(site: site) }
        try self.allowList.check(site)
        return site
    }
}

extension Coordinator {
    /// The sites connected now, by name.
    package var connectedSites: [String] { self.sites.keys.sorted() }

    /// Connections open now, admitted or not.
    package var openConnections: Int { self.connections.count }

    func admit(_ certificate: Certificate) throws -> String {
        try self.admission.admit(certificate)
    }

    /// Reads the allow-list and the revocation list again (SIGHUP) and closes, with a
    /// `failure` saying why, the connections of sites they no longer admit; every other
    /// site carries on. A bad file keeps the lists in force and says what is wrong.
    package func reloadAccessLists() {
        guard let file = self.configuration.file else { return }
        do {
            let admission = try Admission(try CoordinatorConfiguration.load(file))
            self.admission = admission
            var refused: [String] = []
            for (site, link) in self.sites {
                let allowed = admission.allowList.admits(site)
                let revoked =
                    admission.revocations.map { list in
                        link.certificate.map(list.contains) ?? false
                    } ?? false
                guard !allowed || revoked else { continue }
                let reason = revoked ? PKIError.siteRevoked(site: site) : PKIError.siteNotAllowed(site: site)
                link.outbox.yield(Outgoing(message: .failure(.init(message: "\(reason)"))))
                link.outbox.finish()
                refused.append(site)
            }
            self.logger.notice(
                "access lists reloaded",
                metadata: [
                    "revoked.count": "\(admission.revocations?.revoked.count ?? 0)",
                    "sites.refused": "\(refused.sorted().joined(separator: ","))",
                ]
            )
        } catch {
            self.logger.error(
                "could not reload the access lists; the old ones stay in force",
                metadata: ["error": "\(error)"]
            )
        }
    }
}
