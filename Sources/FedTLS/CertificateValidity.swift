import Foundation

/// When a certificate may be used; an explicit window lets tests make certificates that are already expired.
package struct CertificateValidity: Sendable, Equatable {
    /// Ten years: the CA outlives many rounds of site certificates.
    package static let defaultCALifetime: TimeInterval = 3650 * 86_400
    /// One year: leaves are cheap to re-issue, so they expire sooner than the CA.
    package static let defaultLeafLifetime: TimeInterval = 365 * 86_400
    /// How far before "now" a fresh certificate starts, so a peer whose clock runs a little behind accepts it.
    package static let clockSkewAllowance: TimeInterval = 60

    package var notValidBefore: Date
    package var notValidAfter: Date

    /// An explicit window; throws when it ends before it starts.
    package init(notValidBefore: Date, notValidAfter: Date) throws {
        guard notValidBefore < notValidAfter else {
            throw PKIError.invalidValidity(notValidBefore: notValidBefore, notValidAfter: notValidAfter)
        }
        self.notValidBefore = notValidBefore
        self.notValidAfter = notValidAfter
    }

    /// A window that starts one minute before `now` (clock skew) and lasts `lifetime` seconds from `now`.
    package static func starting(at now: Date = Date(), lasting lifetime: TimeInterval) throws -> CertificateValidity {
        try CertificateValidity(
            notValidBefore: now.addingTimeInterval(-Self.clockSkewAllowance),
            notValidAfter: now.addingTimeInterval(lifetime)
        )
    }
}
