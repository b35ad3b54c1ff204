import FedSupport
import FedTLS
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `fedtune certs kit SITE --coordinator HOST:PORT --out FILE` is asked for.
package struct SiteKitConfiguration: Sendable {
    /// The site's name: its certificate's common name and the kit's top folder.
    package var site: String
    /// HOST:PORT as the operator typed it; checked by ``CoordinatorEndpoint``.
    package var coordinator: String
    /// The federation folder of `fedtune certs init`.
    package var pki: URL
    /// The .tar.gz to create; never replaced.
    package var output: URL
    /// Validity of a certificate issued for the kit (an existing one is packed as it is).
    package var lifetime: TimeInterval = CertificateValidity.defaultLeafLifetime

    package init(site: String, coordinator: String, pki: URL, output: URL) {
        self.site = site
        self.coordinator = coordinator
        self.pki = pki
        self.output = output
    }
}

/// The coordinator's address as a site dials it; the same rule as `fedtune client --coordinator`.
package struct CoordinatorEndpoint: Sendable, Equatable, CustomStringConvertible {
    package let host: String
    package let port: Int

    /// Reads `HOST:PORT`: exactly one colon, a DNS name or an IPv4 address, a port 1 … 65535.
    package init(parsing text: String) throws(SiteKitError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw .malformedCoordinator(text, problem: "it must hold exactly one ':' between the host and the port")
        }
        let host = String(parts[0])
        guard (try? CoordinatorHost.subjectAlternativeName(for: host)) != nil else {
            throw .malformedCoordinator(text, problem: "'\(host)' is neither a DNS name nor an IP address")
        }
        guard let port = Int(parts[1]), (1...65535).contains(port) else {
            throw .malformedCoordinator(text, problem: "the port '\(parts[1])' is not a number from 1 to 65535")
        }
        self.host = host
        self.port = port
    }

    package var description: String { "\(self.host):\(self.port)" }
}

/// Everything one site needs, packed into one .tar.gz: its identity (issued now when the PKI
/// folder has none for it), the CA certificate, the client settings (site.env) naming the
/// coordinator, a run script and the systemd unit. Layout inside the archive, under `SITE/`:
/// README.txt, site.env, run.sh (0755), fedtune-site@.service, identity/ (0700) with cert.pem,
/// key.pem (0600) and ca.pem.
package enum SiteKit {
    /// What was made.
    package struct Made: Sendable {
        package let archive: URL
        package let endpoint: CoordinatorEndpoint
        /// Whether the site's certificate was issued for this kit (else the existing one was packed).
        package let issued: Bool
        /// Each member of the archive with its mode, in order.
        package let entries: [(path: String, mode: UInt16)]
    }

    /// Checks the request, finds or issues the identity and writes the archive (mode 0600: it
    /// holds a private key). Nothing is written when a check fails; the archive appears whole
    /// or not at all.
    package static func make(_ configuration: SiteKitConfiguration, now: Date = Date()) throws -> Made {
        let endpoint = try CoordinatorEndpoint(parsing: configuration.coordinator)
        let output = configuration.output
        if FileManager.default.fileExists(atPath: output.path) { throw SiteKitError.outputExists(path: output.path) }
        try SiteName.validate(configuration.site)
        let folder = PKIFolder(configuration.pki)
        let issued = try Self.ensureIdentity(of: configuration.site, in: folder, lifetime: configuration.lifetime, now: now)
        let identityFolder = folder.siteDirectory(configuration.site)
        let identity = try Identity(directory: identityFolder)
        try identity.check(role: .site, folder: identityFolder, now: now)
        if let name = identity.commonName, name != configuration.site {
            throw SiteKitError.identityOfAnotherSite(
                site: configuration.site,
                path: identityFolder.appendingPathComponent(Identity.certificateFile).path,
                commonName: name
            )
        }

        let site = configuration.site
        var archive = TarArchive(modified: now)
        archive.addDirectory(site, mode: 0o755)
        let caPEM = try identity.trustRootPEM()
        let files = SiteKitFiles(site: site, endpoint: endpoint, caPEM: caPEM, made: now)
        archive.addFile("\(site)/README.txt", text: files.readme)
        archive.addFile("\(site)/site.env", text: files.environment)
        archive.addFile("\(site)/run.sh", text: files.runScript, mode: 0o755)
        archive.addFile("\(site)/\(SiteKitFiles.unitName)", text: SiteKitFiles.systemdUnit)
        archive.addDirectory("\(site)/identity", mode: 0o700)
        archive.addFile("\(site)/identity/\(Identity.certificateFile)", text: try identity.certificatePEM())
        archive.addFile("\(site)/identity/\(Identity.privateKeyFile)", text: try identity.privateKeyPEM(), mode: 0o600)
        archive.addFile("\(site)/identity/\(Identity.trustRootFile)", text: caPEM)

        let compressed = try GzipWriter.compress(try archive.bytes(), modified: now)
        try Self.createNew(output, holding: compressed)
        return Made(
            archive: output,
            endpoint: endpoint,
            issued: issued,
            entries: archive.entries.map { ($0.path, $0.mode) }
        )
    }

    /// Issues the site's certificate unless its folder already has one; returns whether it issued.
    private static func ensureIdentity(
        of site: String,
        in folder: PKIFolder,
        lifetime: TimeInterval,
        now: Date
    ) throws -> Bool {
        let directory = folder.siteDirectory(site)
        let hasIdentity = [Identity.certificateFile, Identity.privateKeyFile].contains {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent($0).path)
        }
        if hasIdentity { return false }
        // A CA certificate without its key is a folder whose key is kept offline, as
        // certs/README.md advises: such a folder can only pack the sites it already issued.
        if FileManager.default.fileExists(atPath: folder.caCertificate.path),
            !FileManager.default.fileExists(atPath: folder.caPrivateKey.path)
        {
            let sites = folder.root.appendingPathComponent("sites", isDirectory: true)
            let issued = ((try? FileManager.default.contentsOfDirectory(atPath: sites.path)) ?? []).sorted()
            throw SiteKitError.unknownSite(
                site: site,
                directory: folder.root.path,
                caKey: folder.caPrivateKey.path,
                issued: issued
            )
        }
        _ = try folder.issueSite(site, lifetime: lifetime, now: now)
        return true
    }

    /// Writes `data` to a temporary file beside `url` and links it to `url`, which fails
    /// rather than replace a file that appeared meanwhile; readers never see half a kit.
    private static func createNew(_ url: URL, holding data: Data) throws {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SiteKitError.writeFailed(path: url.path, reason: Self.lastError()) }
        defer { unlink(temporary.path) }
        var remaining = [UInt8](data)[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = Self.lastError()
                close(descriptor)
                throw SiteKitError.writeFailed(path: url.path, reason: reason)
            }
            remaining = remaining.dropFirst(written)
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard synced else { throw SiteKitError.writeFailed(path: url.path, reason: Self.lastError()) }
        guard link(temporary.path, url.path) == 0 else {
            if errno == EEXIST { throw SiteKitError.outputExists(path: url.path) }
            throw SiteKitError.writeFailed(path: url.path, reason: Self.lastError())
        }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
