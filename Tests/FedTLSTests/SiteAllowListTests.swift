import FedTLS
import Testing

struct SiteAllowListTests {
    @Test func withoutListAdmitsEverySite() throws {
        #expect(SiteAllowList.everySite.admits("site-a"))
        try SiteAllowList(nil).check("anyone")
    }

    @Test func withListAdmitsOnlyListedSites() throws {
        let list = SiteAllowList(["site-a", "site-b"])

        #expect(list.admits("site-a"))
        #expect(!list.admits("site-c"))
        #expect(throws: PKIError.siteNotAllowed(site: "site-c")) { try list.check("site-c") }
    }
}
