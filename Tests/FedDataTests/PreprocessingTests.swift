import FedTensor
import Testing

@testable import FedData

struct PreprocessingTests {
    @Test func stratifiedSplitKeepsClassProportionsAndIsSeeded() {
        let labels = Array(repeating: 0, count: 80) + Array(repeating: 1, count: 20)

        let parts = StratifiedSplit.indices(labels: labels, fractions: [0.7, 0.2, 0.1], seed: 3)
        let again = StratifiedSplit.indices(labels: labels, fractions: [0.7, 0.2, 0.1], seed: 3)
        let other = StratifiedSplit.indices(labels: labels, fractions: [0.7, 0.2, 0.1], seed: 4)

        #expect(parts.map(\.count) == [70, 20, 10])
        #expect(parts.map { part in part.filter { labels[$0] == 1 }.count } == [14, 4, 2])
        #expect(Set(parts.flatMap { $0 }) == Set(0..<100))
        #expect(parts == again)
        #expect(parts != other)
    }

    @Test func standardizerCentresAndScalesEachColumnAndSurvivesConstantColumns() {
        var features = Tensor(shape: [4, 2], scalars: [1, 5, 2, 5, 3, 5, 4, 5])

        let standardizer = Standardizer(fitting: features)
        standardizer.apply(to: &features)

        #expect(standardizer.mean == [2.5, 5])
        #expect(abs(standardizer.std[0] - 1.1180340) < 1e-6)
        #expect(standardizer.std[1] == 1)
        #expect(abs(features[0, 0] + 1.3416408) < 1e-6)
        #expect(features[0, 1] == 0)
    }

    @Test func syntheticDomainsAreSeededBalancedAndShiftMovesThem() {
        let source = SyntheticDomain(features: 4, classes: 3)
        var shifted = source
        shifted.shift = 1

        let a = source.sample(count: 90, seed: 1)
        let b = source.sample(count: 90, seed: 1)
        let c = shifted.sample(count: 90, seed: 1)

        #expect(a.features == b.features && a.labels == b.labels)
        #expect(a.classCounts == [30, 30, 30])
        #expect(a.features != c.features)
    }
}
