import SwiftASN1
import X509

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A name or address by which sites reach the coordinator; each becomes one SubjectAlternativeName entry,
/// because TLS clients match the name they dialled against those entries (and ignore the common name).
package enum CoordinatorHost {
    /// Hosts written into the coordinator's certificate when none are given: enough for one machine.
    package static let defaults = ["localhost", "127.0.0.1"]

    /// The SAN entry for `host`: an `ipAddress` for IPv4/IPv6 literals, otherwise a `dnsName`.
    package static func subjectAlternativeName(for host: String) throws -> GeneralName {
        if let address = Self.ipAddressBytes(host) {
            return .ipAddress(ASN1OctetString(contentBytes: address[...]))
        }
        guard Self.isDNSName(host) else { throw PKIError.invalidHost(host) }
        return .dnsName(host.lowercased())
    }

    /// Whether `host` is an IPv4 or IPv6 literal (such hosts cannot be sent as TLS SNI).
    package static func isIPAddress(_ host: String) -> Bool {
        Self.ipAddressBytes(host) != nil
    }

    /// The network-order bytes of an IP literal: 4 for IPv4, 16 for IPv6; nil for anything else.
    static func ipAddressBytes(_ host: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Dot-separated labels of letters, digits and inner hyphens, at most 253 characters; a leading `*.`
    /// wildcard label is allowed.
    static func isDNSName(_ host: String) -> Bool {
        guard (1...253).contains(host.utf8.count) else { return false }
        var labels = host.split(separator: ".", omittingEmptySubsequences: false)
        if labels.first == "*", labels.count > 2 { labels.removeFirst() }
        return labels.allSatisfy { label in
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
            return label.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                    return true
                default:
                    return false
                }
            }
        }
    }
}
