import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TLS or socket error turned into one plain sentence, and whether trying again can
/// help. BoringSSL's codes and build paths never reach the user: each known case is named
/// for what it means in a federation (a certificate from another CA, a site the coordinator
/// refused, nothing listening), and anything else is called a lost connection.
package struct ConnectionFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Whether the error is the network's (retry) rather than a refusal (stop).
    package let isTransient: Bool
    package let sentence: String

    package var description: String { self.sentence }

    /// What went wrong when this site talked to the coordinator at `host:port`.
    package static func site(_ error: any Error, host: String, port: Int) -> ConnectionFailure {
        let text = String(describing: error)
        let coordinator = "the coordinator at \(host):\(port)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
            return .init(
                isTransient: false,
                sentence: "\(coordinator) presented a certificate this site's CA (ca.pem in --identity) did not "
                    + "issue, or one that has expired: is this the right coordinator, and do both come from the "
                    + "same `fedtune certs init`?"
            )
        }
        if text.contains("failedToValidateHostname") {
            return .init(
                isTransient: false,
                sentence: "\(coordinator) presented a certificate that does not name '\(host)': connect by a "
                    + "name it holds, or reissue it with `fedtune certs init --host \(host)`"
            )
        }
        if let alert = Self.refusalAlerts.first(where: { text.contains($0.code) }) {
            return .init(
                isTransient: false,
                sentence: "\(coordinator) refused this site's certificate: \(alert.meaning)"
            )
        }
        if Self.errno(of: error) == ECONNREFUSED || text.contains("Connection refused") {
            return .init(isTransient: true, sentence: "nothing is listening at \(host):\(port) (connection refused)")
        }
        if text.contains("connectTimeout") {
            return .init(isTransient: true, sentence: "\(coordinator) did not answer within the connect timeout")
        }
        if text.contains("dnsAError") || text.contains("Name or service not known") {
            return .init(isTransient: true, sentence: "the host name '\(host)' could not be resolved")
        }
        return .init(isTransient: true, sentence: "the connection to \(coordinator) was lost")
    }

    /// Why the coordinator lost a connection before the peer was known, in one sentence.
    package static func coordinator(_ error: any Error, peer: String) -> String {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") {
            return "\(peer) presented a certificate this federation's CA did not issue (or an expired one)"
        }
        if text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") || text.contains("NO_CERTIFICATE") {
            return "\(peer) presented no certificate (every site needs one from `fedtune certs issue`)"
        }
        if text.contains("UNSUPPORTED_CERTIFICATE") || text.contains("unsupported certificate purpose") {
            return "\(peer) presented a certificate that is not a site certificate (no clientAuth)"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") {
            return "\(peer) does not speak TLS (is it a browser or an old client?)"
        }
        if let alert = Self.refusalAlerts.first(where: { text.contains($0.code) }) {
            return "\(peer) ended the TLS handshake: it refused this coordinator's certificate (\(alert.meaning))"
        }
        return "the connection from \(peer) was lost"
    }

    /// Why the coordinator cannot listen on `host:port`.
    package static func listening(_ error: any Error, host: String, port: Int) -> String {
        switch Self.errno(of: error) {
        case EADDRINUSE: "port \(port) on \(host) is already in use — is another coordinator running?"
        case EACCES: "port \(port) on \(host) needs privileges (ports below 1024): choose another port in `listen`"
        case EADDRNOTAVAIL: "\(host) is not an address of this machine: use 0.0.0.0 or one of its addresses in `listen`"
        default: "the address \(host):\(port) cannot be used"
        }
    }

    /// TLS alerts a coordinator sends when it refuses a client certificate, and what they mean.
    private static let refusalAlerts: [(code: String, meaning: String)] = [
        ("CERTIFICATE_REVOKED", "this site's certificate has been revoked (ask the federation for a new one)"),
        ("CERTIFICATE_EXPIRED", "this site's certificate has expired (ask the federation to reissue it)"),
        ("UNKNOWN_CA", "it was not issued by the coordinator's CA (is --identity from this federation?)"),
        (
            "UNSUPPORTED_CERTIFICATE",
            "it is not a site certificate (is --identity the coordinator's folder? use the one from `fedtune certs issue SITE`)"
        ),
        ("BAD_CERTIFICATE", "the coordinator could not verify it (was it issued by this federation's CA?)"),
        ("HANDSHAKE_FAILURE", "the TLS handshake failed (are both sides on the same fedtune version?)"),
    ]

    private static func errno(of error: any Error) -> Int32? {
        if let io = error as? IOError { return io.errnoCode }
        if let connection = error as? NIOConnectionError {
            return connection.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }.first
        }
        return nil
    }
}
