import FedTLS
import Testing

struct SiteNameTests {
    @Test(arguments: ["site-a", "Hospital_7", "shop.eu-west", "a", "..a", String(repeating: "x", count: 64)])
    func acceptsNamesSafeAsCommonNameAndFolder(_ name: String) {
        #expect(SiteName.isValid(name))
    }

    @Test(arguments: ["", ".", "..", "a b", "a/b", "a\\b", "naïve", "a\0b", String(repeating: "x", count: 65)])
    func refusesOtherNames(_ name: String) {
        #expect(!SiteName.isValid(name))
        #expect(throws: PKIError.invalidSiteName(name)) { try SiteName.validate(name) }
    }
}
