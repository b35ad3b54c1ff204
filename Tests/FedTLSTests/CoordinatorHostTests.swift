import FedTLS
import Testing
import X509

struct CoordinatorHostTests {
    @Test(arguments: [
        ("localhost", #"DNSName("localhost")"#),
        ("Coordinator.Example.ORG", #"DNSName("coordinator.example.org")"#),
        ("*.fed.example", #"DNSName("*.fed.example")"#),
        ("10.0.0.5", "IPAddress([10, 0, 0, 5])"),
        ("::1", "IPAddress([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])"),
    ])
    func turnsHostIntoSubjectAlternativeName(_ host: String, expected: String) throws {
        #expect(try CoordinatorHost.subjectAlternativeName(for: host).description == expected)
    }

    @Test(arguments: ["", "two words", "-leading.example", "a..b", "http://x", "host_name", "*"])
    func refusesHostThatIsNeitherNameNorAddress(_ host: String) {
        #expect(throws: PKIError.invalidHost(host)) { try CoordinatorHost.subjectAlternativeName(for: host) }
    }

    @Test func recognisesIPLiterals() {
        #expect(CoordinatorHost.isIPAddress("127.0.0.1"))
        #expect(CoordinatorHost.isIPAddress("fe80::1"))
        #expect(!CoordinatorHost.isIPAddress("localhost"))
    }
}
