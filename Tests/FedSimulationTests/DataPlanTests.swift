import FedData
import Foundation
import Testing

@testable import FedSimulation

/// Where each example goes: test set, pretraining share, sites, and each site's held-out part.
struct DataPlanTests {
    /// 600 examples of 4 classes (class 3 rare), with a `region` value per example.
    static let labels = (0..<600).map { $0 % 10 == 0 ? 3 : $0 % 3 }
    static let regions = (0..<600).map { ["east", "north", "south"][($0 / 7) % 3] }

    private func scenario(_ partition: Partition, sites: Int = 4) -> Scenario {
        var scenario = Scenario(name: "plan", data: .dataset(name: "digits"), sites: sites, rounds: 1)
        scenario.seed = 9
        scenario.partition = partition
        scenario.testFraction = 0.2
        scenario.siteTestFraction = 0.25
        return scenario
    }

    @Test func everyExampleGoesToExactlyOnePlace() throws {
        let plan = try DataPlan(
            labels: Self.labels,
            classCount: 4,
            groups: nil,
            scenario: self.scenario(.dirichlet(alpha: 0.5)),
            pretrainClasses: [0, 1],
            pretrainExamples: 50
        )

        let placed = plan.test + plan.pretrain + plan.sites.flatMap { $0 }
        #expect(placed.count == 600)
        #expect(Set(placed).count == 600)
        #expect(plan.test.count == 120)
        #expect(plan.pretrain.count == 50)
        #expect(plan.pretrain.allSatisfy { [0, 1].contains(Self.labels[$0]) })
        for site in plan.sites.indices {
            #expect(Set(plan.siteTrain[site]).union(plan.siteHeldOut[site]) == Set(plan.sites[site]))
            #expect(Set(plan.siteTrain[site]).isDisjoint(with: plan.siteHeldOut[site]))
        }
    }

    @Test func aSiteHoldsOutWhatItsOwnClientSplitHoldsOut() throws {
        let scenario = self.scenario(.iid)

        let plan = try DataPlan(
            labels: Self.labels,
            classCount: 4,
            groups: nil,
            scenario: scenario,
            pretrainClasses: nil,
            pretrainExamples: nil
        )

        // A `fedtune client` splits its file (the site's examples in order) with this seed.
        for site in plan.sites.indices {
            let fileLabels = plan.sites[site].map { Self.labels[$0] }
            let clientSplit = StratifiedSplit.indices(
                labels: fileLabels,
                fractions: [0.75, 0.25],
                seed: DataPlan.siteSplitSeed(scenario)
            )
            #expect(clientSplit[1].map { plan.sites[site][$0] } == plan.siteHeldOut[site])
        }
    }

    @Test func columnPartitionMakesOneSitePerValueAndCapsEachSite() throws {
        var scenario = self.scenario(.byColumn("region"), sites: 0)
        scenario.maxExamplesPerSite = 60
        scenario.testExamples = 100

        let plan = try DataPlan(
            labels: Self.labels,
            classCount: 4,
            groups: Self.regions,
            scenario: scenario,
            pretrainClasses: nil,
            pretrainExamples: nil
        )

        #expect(plan.siteNames == ["east", "north", "south"])
        #expect(plan.sites.allSatisfy { $0.count == 60 })
        for (name, site) in zip(plan.siteNames, plan.sites) {
            #expect(site.allSatisfy { Self.regions[$0] == name })
        }
        #expect(
            abs(plan.test.count - 100) <= 4,
            "stratified rounding keeps the test set near 100, got \(plan.test.count)"
        )
    }

    @Test func sameSeedGivesTheSamePlan() throws {
        let make = {
            try DataPlan(
                labels: Self.labels,
                classCount: 4,
                groups: nil,
                scenario: self.scenario(.dirichlet(alpha: 0.3)),
                pretrainClasses: nil,
                pretrainExamples: nil
            )
        }

        let (a, b) = (try make(), try make())

        #expect(a.sites == b.sites)
        #expect(a.siteHeldOut == b.siteHeldOut)
        #expect(a.test == b.test)
    }

    @Test func columnPartitionWithTheWrongSiteCountIsRefused() throws {
        let error = #expect(throws: ScenarioError.self) {
            try DataPlan(
                labels: Self.labels,
                classCount: 4,
                groups: Self.regions,
                scenario: self.scenario(.byColumn("region"), sites: 5),
                pretrainClasses: nil,
                pretrainExamples: nil
            )
        }

        #expect("\(error!)".contains("column 'region' has 3 values, so 3 sites, but sites is 5"))
    }

    @Test func aPretrainingShareLargerThanItsClassesIsRefused() throws {
        let error = #expect(throws: ScenarioError.self) {
            try DataPlan(
                labels: Self.labels,
                classCount: 4,
                groups: nil,
                scenario: self.scenario(.iid),
                pretrainClasses: [3],
                pretrainExamples: 100
            )
        }

        #expect("\(error!)".contains("pretrain.examples is 100"))
    }
}
