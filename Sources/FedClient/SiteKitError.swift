import Foundation

/// Why `fedtune certs kit` made no kit; each message names what is wrong and what to do.
package enum SiteKitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--coordinator` is not HOST:PORT with a DNS name or IP address and a port 1 … 65535.
    case malformedCoordinator(String, problem: String)
    /// `--out` exists; a kit never replaces a file.
    case outputExists(path: String)
    /// The site has no identity in the PKI folder, and the folder cannot issue one (no CA key).
    case unknownSite(site: String, directory: String, caKey: String, issued: [String])
    /// The site's identity folder holds another site's certificate.
    case identityOfAnotherSite(site: String, path: String, commonName: String)
    /// The archive could not be written.
    case writeFailed(path: String, reason: String)

    package var description: String {
        switch self {
        case .malformedCoordinator(let text, let problem):
            return "--coordinator '\(text)' is not HOST:PORT: \(problem). "
                + "---> HINT: give the name or address sites dial and the coordinator's port, e.g. fed.example.org:7443."
        case .outputExists(let path):
            return "\(path) already exists: refusing to overwrite it (it may be a kit already sent). "
                + "---> HINT: move it aside or pass another --out."
        case .unknownSite(let site, let directory, let caKey, let issued):
            let known = issued.isEmpty ? "it has issued no site yet" : "its sites are \(issued.joined(separator: ", "))"
            return "site '\(site)' is unknown here: \(directory) has no identity for it and \(caKey) is missing, "
                + "so no certificate can be issued (\(known)). ---> HINT: check the name, or make the kit where the "
                + "CA key is kept."
        case .identityOfAnotherSite(let site, let path, let commonName):
            return "\(path) holds the certificate of site '\(commonName)', not of '\(site)'. "
                + "---> HINT: each site's folder must hold its own certificate; re-issue it with `fedtune certs issue`."
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
