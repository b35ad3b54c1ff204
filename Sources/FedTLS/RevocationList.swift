import Foundation
import SwiftASN1
import X509

/// The federation's certificate revocation list (RFC 5280 §5, X.509 v2 CRL), signed by
/// the CA: the serial numbers of site certificates that must no longer be admitted.
/// swift-certificates has no CRL type, so this writes and reads the few fields fedtune
/// uses with swift-asn1; `openssl crl` and `openssl verify -crl_check` read what it writes.
package struct RevocationList: Sendable, Equatable {
    package var number: Int
    package var revoked: Set<Certificate.SerialNumber>

    package init(number: Int = 0, revoked: Set<Certificate.SerialNumber> = []) {
        self.number = number
        self.revoked = revoked
    }

    package func contains(_ certificate: Certificate) -> Bool { self.revoked.contains(certificate.serialNumber) }

    private static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    private static let crlNumber: ASN1ObjectIdentifier = [2, 5, 29, 20]

    /// The list as a signed PEM "X509 CRL", valid from `now` for `validity` seconds.
    package func pem(
        signedBy authority: CertificateAuthority,
        now: Date = Date(),
        validity: TimeInterval = 3650 * 86400
    )
        throws -> String
    {
        var number = DER.Serializer()
        try number.serialize(self.number)
        var extensions = [
            Certificate.Extension(oid: Self.crlNumber, critical: false, value: number.serializedBytes[...])
        ]
        if let key = try authority.certificate.extensions.subjectKeyIdentifier?.keyIdentifier {
            extensions.append(try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: key), critical: false))
        }
        var tbs = DER.Serializer()
        try tbs.appendConstructedNode(identifier: .sequence) { list in
            try list.serialize(1)  // v2
            try Self.algorithm(&list)
            try list.serialize(authority.certificate.subject)
            try Self.time(now, &list)
            try Self.time(now.addingTimeInterval(validity), &list)
            let serials = self.revoked.sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
            if !serials.isEmpty {
                try list.appendConstructedNode(identifier: .sequence) { entries in
                    for serial in serials {
                        try entries.appendConstructedNode(identifier: .sequence) { entry in
                            try entry.serialize(serial.bytes)
                            try Self.time(now, &entry)
                        }
                    }
                }
            }
            try list.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) {
                try $0.serializeSequenceOf(extensions)
            }
        }
        let signature = try authority.privateKey.sign(
            bytes: tbs.serializedBytes,
            signatureAlgorithm: .ecdsaWithSHA256
        )
        var crl = DER.Serializer()
        try crl.appendConstructedNode(identifier: .sequence) { outer in
            outer.serializeRawBytes(tbs.serializedBytes)
            try Self.algorithm(&outer)
            try outer.serialize(ASN1BitString(bytes: Array(signature.rawRepresentation)[...]))
        }
        return PEMDocument(type: "X509 CRL", derBytes: crl.serializedBytes).pemString
    }

    /// Reads a PEM CRL and checks that `issuer` signed it.
    package init(pem: String, verifiedBy issuer: Certificate, path: String) throws {
        func bad(_ reason: String) -> PKIError {
            PKIError.unparsableFile(
                path: path,
                expected: "a certificate revocation list (fedtune certs revoke)",
                reason: reason
            )
        }
        let document: PEMDocument
        do {
            document = try PEMDocument(pemString: pem)
        } catch {
            throw bad("not PEM")
        }
        guard document.discriminator == "X509 CRL" else {
            throw bad("a PEM \(document.discriminator), not an X509 CRL")
        }
        do {
            let root = try DER.parse(document.derBytes)
            guard case .constructed(let parts) = root.content else { throw bad("not a DER sequence") }
            var outer = parts.makeIterator()
            guard let tbsNode = outer.next(), outer.next() != nil, let signatureNode = outer.next() else {
                throw bad("missing the list or its signature")
            }
            let signature = try ASN1BitString(derEncoded: signatureNode)
            guard
                issuer.publicKey.isValidSignature(
                    signature.bytes,
                    for: tbsNode.encodedBytes,
                    signatureAlgorithm: .ecdsaWithSHA256
                )
            else {
                throw bad("its signature is not the federation CA's (was it made with this certs folder?)")
            }
            guard case .constructed(let fields) = tbsNode.content else { throw bad("not a DER sequence") }
            var number = 0
            var revoked: Set<Certificate.SerialNumber> = []
            for field in fields {
                if field.identifier == .sequence, case .constructed(let items) = field.content {
                    // revokedCertificates: SEQUENCE OF SEQUENCE { serial, date, … }; the
                    // signature algorithm and the issuer Name are sequences too, told apart
                    // by their first element being a SEQUENCE of entries.
                    for item in items {
                        guard item.identifier == .sequence, case .constructed(let entry) = item.content,
                            let first = entry.first(where: { _ in true }), first.identifier == .integer
                        else { continue }
                        revoked.insert(Certificate.SerialNumber(bytes: try ArraySlice<UInt8>(derEncoded: first)))
                    }
                } else if field.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                    let extensions = try DER.explicitlyTagged(field, tagNumber: 0, tagClass: .contextSpecific) {
                        try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: $0)
                    }
                    if let value = extensions.first(where: { $0.oid == Self.crlNumber })?.value {
                        number = try Int(derEncoded: value)
                    }
                }
            }
            self.init(number: number, revoked: revoked)
        } catch let error as PKIError {
            throw error
        } catch {
            throw bad("\(error)")
        }
    }

    private static func algorithm(_ coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { try $0.serialize(Self.ecdsaWithSHA256) }
    }

    private static func time(_ date: Date, _ coder: inout DER.Serializer) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let (year, month, day) = (parts.year!, parts.month!, parts.day!)
        let (hours, minutes, seconds) = (parts.hour!, parts.minute!, parts.second!)
        if (1950..<2050).contains(year) {
            try coder.serialize(
                UTCTime(year: year, month: month, day: day, hours: hours, minutes: minutes, seconds: seconds)
            )
        } else {
            try coder.serialize(
                GeneralizedTime(
                    year: year,
                    month: month,
                    day: day,
                    hours: hours,
                    minutes: minutes,
                    seconds: seconds,
                    fractionalSeconds: 0
                )
            )
        }
    }
}
