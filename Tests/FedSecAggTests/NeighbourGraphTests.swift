import FedSecAgg
import Testing

@Suite struct NeighbourGraphTests {
    @Test(arguments: [(20, 6), (21, 4), (10, 8), (5, 2)])
    func everySiteHasExactlyTheDegreeAndTheGraphIsSymmetric(sites: Int, degree: Int) {
        let graph = NeighbourGraph(siteCount: sites, degree: degree, seed: 99)

        for site in 0..<sites {
            #expect(graph.neighbours[site].count == degree)
            #expect(!graph.neighbours[site].contains(site))
            for other in graph.neighbours[site] { #expect(graph.areNeighbours(other, site)) }
        }
    }

    @Test func degreeNMinusOneIsTheCompleteGraphOfOriginalSecAgg() {
        let graph = NeighbourGraph(siteCount: 5, degree: 4, seed: 1)

        #expect(graph.neighbours[2] == [0, 1, 3, 4])
    }

    @Test func theSameSeedGivesTheSameGraphAndAnotherSeedAnother() {
        let a = NeighbourGraph(siteCount: 20, degree: 6, seed: 7)
        let b = NeighbourGraph(siteCount: 20, degree: 6, seed: 7)
        let c = NeighbourGraph(siteCount: 20, degree: 6, seed: 8)

        #expect(a == b)
        #expect(a != c)
    }

    @Test func splitMixMatchesItsReferenceOutput() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var generator = SplitMix64(seed: 0)

        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    }
}
