/// Which sites a coordinator admits among those holding a valid certificate from the federation CA; a way to
/// shut a site out (or admit only this run's sites) without re-keying the CA.
package struct SiteAllowList: Sendable, Equatable {
    /// The admitted site names; `nil` admits every site the CA vouches for.
    package let sites: Set<String>?

    /// Every site with a valid certificate.
    package static let everySite = SiteAllowList(nil)

    package init(_ sites: Set<String>?) {
        self.sites = sites
    }

    /// Whether `site` (a name taken from a verified certificate) may take part.
    package func admits(_ site: String) -> Bool {
        self.sites?.contains(site) ?? true
    }

    /// Throws ``PKIError/siteNotAllowed(site:)`` unless `site` may take part.
    package func check(_ site: String) throws {
        guard self.admits(site) else { throw PKIError.siteNotAllowed(site: site) }
    }
}
