import Foundation

/// Everything that can go wrong while making, loading or using the federation's certificates; each message
/// names the file, site or host at fault and, where the fix is known, says what to do.
package enum PKIError: Error, Equatable, CustomStringConvertible {
    /// `fedtune certs init` found a CA already in the folder and will not replace it.
    case caAlreadyExists(path: String)
    /// A file that would be written already exists; nothing is ever overwritten.
    case fileExists(path: String)
    /// `fedtune certs issue` found a certificate for this site already.
    case siteAlreadyIssued(site: String, path: String)
    /// The folder has not been initialised: the named CA file is missing.
    case notInitialised(missing: String, directory: String)
    /// An identity folder lacks one of cert.pem, key.pem, ca.pem.
    case missingIdentityFile(path: String)
    /// A file exists but could not be read.
    case unreadableFile(path: String, reason: String)
    /// A private key that its group or others may read.
    case keyTooOpen(path: String, mode: Int)
    /// A file was read but does not hold the expected PEM certificate or key.
    case unparsableFile(path: String, expected: String, reason: String)
    /// A private key does not belong to the certificate beside it.
    case keyDoesNotMatchCertificate(key: String, certificate: String)
    /// A certificate is not signed by the CA it was shipped with.
    case notSignedByCA(certificate: String, ca: String)
    /// The CA has expired, so anything it signs would be refused.
    case caExpired(path: String, notValidAfter: Date)
    /// A file or folder could not be written.
    case writeFailed(path: String, reason: String)
    /// A site name outside `[A-Za-z0-9._-]{1,64}` (or `.`/`..`).
    case invalidSiteName(String)
    /// A `--host` that is neither an IP address nor a DNS name.
    case invalidHost(String)
    /// A validity window that ends before it starts.
    case invalidValidity(notValidBefore: Date, notValidAfter: Date)
    /// swift-certificates refused to build or sign a certificate.
    case signingFailed(subject: String, reason: String)
    /// swift-nio-ssl refused the certificates or key when building a TLS configuration.
    case tlsSetupFailed(reason: String)
    /// The connection has no verified peer certificate.
    case noPeerCertificate
    /// The peer's certificate could not be decoded.
    case unreadablePeerCertificate(reason: String)
    /// The peer's certificate does not carry exactly one valid site name as its common name.
    case peerWithoutSiteName(subject: String)
    /// The peer's certificate is not a site (client) certificate.
    case peerNotASite(site: String)
    /// The peer is a valid site of the federation but not on this coordinator's allow-list.
    case siteNotAllowed(site: String)
    /// `certs revoke` for a site that has no certificate in this folder.
    case notIssued(site: String, path: String)
    /// A site whose certificate is on the revocation list.
    case siteRevoked(site: String)
    /// An identity folder that cannot play the part it was given.
    case wrongIdentity(path: String, problem: String)

    package var description: String {
        switch self {
        case .caAlreadyExists(let path):
            return "\(path) already exists: refusing to overwrite the federation's CA "
                + "(every certificate it issued would stop working). "
                + "---> HINT: pass another --dir to start a separate federation."
        case .fileExists(let path):
            return "\(path) already exists: refusing to overwrite it. ---> HINT: move it aside or use another --dir."
        case .siteAlreadyIssued(let site, let path):
            return "site '\(site)' already has a certificate at \(path): refusing to overwrite it. "
                + "---> HINT: to re-issue (say, before it expires), move that folder aside first; see certs/README.md "
                + "for what to do when a key has leaked."
        case .notInitialised(let missing, let directory):
            return "\(missing) is missing, so \(directory) holds no federation CA. "
                + "---> HINT: run `fedtune certs init --dir \(directory)` first."
        case .keyTooOpen(let path, let mode):
            return "\(path) may be read by others (mode \(String(mode, radix: 8))), so the key cannot be trusted to be "
                + "this identity's alone. ---> HINT: run `chmod 600 \(path)` (fedtune writes keys that way)."
        case .missingIdentityFile(let path):
            return "\(path) is missing. ---> HINT: an identity folder holds cert.pem, key.pem and ca.pem, "
                + "as written by `fedtune certs issue SITE` (sites) or `fedtune certs init` (coordinator/)."
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .unparsableFile(let path, let expected, let reason):
            return "\(path) does not hold \(expected): \(reason). ---> HINT: was it copied whole, as PEM text?"
        case .keyDoesNotMatchCertificate(let key, let certificate):
            return "\(key) is not the private key of \(certificate). "
                + "---> HINT: copy cert.pem and key.pem from the same issued folder."
        case .notSignedByCA(let certificate, let ca):
            return "\(certificate) was not issued by the CA in \(ca). "
                + "---> HINT: the certificate and ca.pem must come from the same federation folder."
        case .caExpired(let path, let notValidAfter):
            return "the CA in \(path) expired on \(notValidAfter). ---> HINT: start a new federation with "
                + "`fedtune certs init --dir NEW` and re-issue every site."
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .invalidSiteName(let name):
            return "site name '\(name)' is not allowed: use 1 to 64 characters from A-Z a-z 0-9 . _ - "
                + "(and not '.' or '..')."
        case .invalidHost(let host):
            return "--host '\(host)' is neither an IP address nor a DNS name (letters, digits, '-' and '.')."
        case .invalidValidity(let notValidBefore, let notValidAfter):
            return "a certificate cannot be valid from \(notValidBefore) until the earlier \(notValidAfter)."
        case .signingFailed(let subject, let reason):
            return "cannot sign the certificate for \(subject): \(reason)"
        case .tlsSetupFailed(let reason):
            return "cannot set up TLS: \(reason)"
        case .noPeerCertificate:
            return "the connection has no verified peer certificate. ---> HINT: ask only after the TLS handshake, "
                + "on a server configured for mutual TLS."
        case .unreadablePeerCertificate(let reason):
            return "cannot decode the peer's certificate: \(reason)"
        case .peerWithoutSiteName(let subject):
            return "the peer's certificate (subject \(subject)) does not name exactly one valid site "
                + "as its common name."
        case .peerNotASite(let site):
            return "the peer '\(site)' presented a certificate not issued for a site (no clientAuth usage)."
        case .notIssued(let site, let path):
            return
                "site '\(site)' has no certificate here (\(path)) ---> HINT: revoke from the certs folder that issued it"
        case .siteRevoked(let site):
            return
                "site '\(site)' holds a certificate this federation has revoked (its crl) ---> HINT: ask the federation for a new certificate"
        case .wrongIdentity(let path, let problem):
            return "the certificate \(path) cannot be used here: \(problem)"
        case .siteNotAllowed(let site):
            return
                "site '\(site)' holds a valid certificate but is not on this coordinator's allow-list (coordinator.yaml: allow)"
        }
    }
}
