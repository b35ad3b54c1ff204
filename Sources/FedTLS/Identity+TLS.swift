import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// TLS 1.3 configurations for the two ends of a federation connection, both mutual and both trusting only the
/// federation CA (never the system roots).
extension Identity {
    /// The coordinator's configuration: presents its server certificate and requires every client to present a
    /// certificate that chains to the federation CA (a client without one is refused by the handshake).
    package func makeServerConfiguration() throws -> TLSConfiguration {
        let (chain, key, roots) = try self.nioSSLMaterial()
        var configuration = TLSConfiguration.makeServerConfigurationWithMTLS(
            certificateChain: chain,
            privateKey: key,
            trustRoots: roots
        )
        configuration.minimumTLSVersion = .tlsv13
        return configuration
    }

    /// A site's configuration: presents the site certificate and verifies the coordinator's certificate and its
    /// host name against the federation CA alone.
    package func makeClientConfiguration() throws -> TLSConfiguration {
        let (chain, key, roots) = try self.nioSSLMaterial()
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv13
        configuration.trustRoots = roots
        configuration.certificateChain = chain
        configuration.privateKey = key
        configuration.certificateVerification = .fullVerification
        return configuration
    }

    /// A context for `NIOSSLServerHandler(context:)`; build it once and share it across connections.
    package func makeServerContext() throws -> NIOSSLContext {
        try Self.context(for: self.makeServerConfiguration())
    }

    /// A context for ``makeClientHandler(context:coordinatorHost:)``.
    package func makeClientContext() throws -> NIOSSLContext {
        try Self.context(for: self.makeClientConfiguration())
    }

    /// The handler a site puts first in its pipeline. `coordinatorHost` is the name or address the site dialled:
    /// a DNS name is sent as SNI and matched against the certificate's DNS names; an IP literal cannot be sent
    /// as SNI, so NIOSSL matches the connected address against the certificate's IP addresses instead.
    package static func makeClientHandler(
        context: NIOSSLContext,
        coordinatorHost: String
    ) throws
        -> NIOSSLClientHandler
    {
        let serverHostname = CoordinatorHost.isIPAddress(coordinatorHost) ? nil : coordinatorHost
        do {
            return try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
        } catch {
            throw PKIError.tlsSetupFailed(reason: "coordinator host '\(coordinatorHost)': \(error)")
        }
    }

    private static func context(for configuration: TLSConfiguration) throws -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw PKIError.tlsSetupFailed(reason: "\(error)")
        }
    }

    /// The certificate, key and trust root converted to NIOSSL's BoringSSL-backed types (through DER).
    private func nioSSLMaterial() throws -> ([NIOSSLCertificateSource], NIOSSLPrivateKeySource, NIOSSLTrustRoots) {
        do {
            let certificate = try NIOSSLCertificate(bytes: Self.der(self.certificate), format: .der)
            let trustRoot = try NIOSSLCertificate(bytes: Self.der(self.trustRoot), format: .der)
            let key = try NIOSSLPrivateKey(bytes: self.privateKey.serializeAsPEM().derBytes, format: .der)
            return ([.certificate(certificate)], .privateKey(key), .certificates([trustRoot]))
        } catch {
            throw PKIError.tlsSetupFailed(reason: "\(error)")
        }
    }

    private static func der(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}
