import Foundation
import SwiftASN1
import X509

extension Identity {
    /// What an identity folder is for: a site presents a client certificate, the
    /// coordinator a server certificate naming the hosts sites dial.
    package enum Role: Sendable, Equatable {
        case site
        case coordinator(hosts: [String])
    }

    /// Checks, before any connection, that this identity can play `role` now: the right
    /// key usage, within its validity, and (for a coordinator) naming every host sites use.
    /// A mistake here would otherwise surface as a TLS alert code on the other side.
    package func check(role: Role, folder: URL, now: Date = Date()) throws {
        let path = folder.appendingPathComponent(Self.certificateFile).path
        if now > self.certificate.notValidAfter {
            throw PKIError.wrongIdentity(path: path, problem: "it expired on \(self.certificate.notValidAfter)")
        }
        if now < self.certificate.notValidBefore {
            throw PKIError.wrongIdentity(
                path: path,
                problem: "it is not valid before \(self.certificate.notValidBefore)"
            )
        }
        let usages = (try? self.certificate.extensions.extendedKeyUsage).map { Set($0.map { $0 }) } ?? []
        switch role {
        case .site:
            guard usages.contains(.clientAuth) else {
                throw PKIError.wrongIdentity(
                    path: path,
                    problem: "it is not a site certificate (it lacks clientAuth); "
                        + "is this the coordinator's folder? Give --identity the folder made by `fedtune certs issue SITE`"
                )
            }
        case .coordinator(let hosts):
            guard usages.contains(.serverAuth) else {
                throw PKIError.wrongIdentity(
                    path: path,
                    problem: "it is not a coordinator certificate (it lacks serverAuth); "
                        + "is this a site's folder? Use the coordinator/ folder made by `fedtune certs init`"
                )
            }
            let names = (try? self.certificate.extensions.subjectAlternativeNames).map { Array($0) } ?? []
            for host in hosts {
                guard let wanted = try? CoordinatorHost.subjectAlternativeName(for: host), names.contains(wanted)
                else {
                    throw PKIError.wrongIdentity(
                        path: path,
                        problem: "it does not name '\(host)', by which sites will reach this coordinator "
                            + "(it names \(Self.describe(names))); reissue it with `fedtune certs init --host \(host)`, "
                            + "or set coordinator.yaml's `hosts` to the names sites really dial"
                    )
                }
            }
        }
    }

    private static func describe(_ names: [GeneralName]) -> String {
        let texts = names.compactMap { name -> String? in
            switch name {
            case .dnsName(let dns): dns
            case .ipAddress(let bytes):
                bytes.bytes.count == 4
                    ? bytes.bytes.map(String.init).joined(separator: ".")
                    : bytes.bytes.map { String(format: "%02x", $0) }.joined()
            default: nil
            }
        }
        return texts.isEmpty ? "no host" : texts.joined(separator: ", ")
    }
}
