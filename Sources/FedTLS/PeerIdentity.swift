import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// Who is on the other end of a verified mutual-TLS connection: the site name comes from the subject common
/// name of the certificate the handshake verified, never from anything the client says.
///
/// Ask only after the handshake has completed on a server built from ``Identity/makeServerConfiguration()``
/// (for example once the first bytes have arrived); before that there is no verified peer certificate.
package enum PeerIdentity {
    /// The site name in `certificate`, the peer certificate NIOSSL verified (`nil` when there is none).
    package static func siteName(of certificate: NIOSSLCertificate?) throws -> String {
        guard let certificate else { throw PKIError.noPeerCertificate }
        let decoded: Certificate
        do {
            decoded = try Certificate(derEncoded: certificate.toDERBytes())
        } catch {
            throw PKIError.unreadablePeerCertificate(reason: "\(error)")
        }
        return try Self.siteName(of: decoded)
    }

    /// The site name in a verified site certificate: its one common name, which must be a valid site name, in a
    /// certificate issued for clientAuth (so the coordinator's own server certificate never passes as a site).
    package static func siteName(of certificate: Certificate) throws -> String {
        let names = Identity.commonNames(of: certificate)
        guard names.count == 1, let name = names.first, SiteName.isValid(name) else {
            throw PKIError.peerWithoutSiteName(subject: "\(certificate.subject)")
        }
        guard let usages = try? certificate.extensions.extendedKeyUsage, usages.contains(.clientAuth) else {
            throw PKIError.peerNotASite(site: name)
        }
        return name
    }

    /// The site name of the peer on the channel whose pipeline this is; call on the channel's event loop
    /// (inside a handler).
    package static func siteName(in pipeline: ChannelPipeline.SynchronousOperations) throws -> String {
        let certificate: NIOSSLCertificate?
        do {
            certificate = try pipeline.nioSSL_peerCertificate()
        } catch {
            // No NIOSSLHandler in the pipeline: this connection is not TLS at all.
            throw PKIError.noPeerCertificate
        }
        return try Self.siteName(of: certificate)
    }

    /// The verified certificate of the peer on `channel`, from any task.
    package static func certificate(of channel: any Channel) async throws -> Certificate {
        let certificate: NIOSSLCertificate?
        do {
            certificate = try await channel.nioSSL_peerCertificate().get()
        } catch {
            throw PKIError.noPeerCertificate
        }
        guard let certificate else { throw PKIError.noPeerCertificate }
        do {
            return try Certificate(derEncoded: certificate.toDERBytes())
        } catch {
            throw PKIError.unreadablePeerCertificate(reason: "\(error)")
        }
    }

    /// The site name of the peer on `channel`, from any task (for connections handled through `NIOAsyncChannel`).
    package static func siteName(of channel: any Channel) async throws -> String {
        try Self.siteName(of: try await Self.certificate(of: channel))
    }
}
