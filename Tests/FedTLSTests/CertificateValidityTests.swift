import FedTLS
import Foundation
import Testing

struct CertificateValidityTests {
    @Test func startsOneMinuteBeforeNow() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)

        let validity = try CertificateValidity.starting(at: now, lasting: 3_600)

        #expect(validity.notValidBefore == now.addingTimeInterval(-60))
        #expect(validity.notValidAfter == now.addingTimeInterval(3_600))
    }

    @Test func refusesWindowThatEndsBeforeItStarts() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let end = start.addingTimeInterval(-1)

        #expect(throws: PKIError.invalidValidity(notValidBefore: start, notValidAfter: end)) {
            try CertificateValidity(notValidBefore: start, notValidAfter: end)
        }
    }
}
