import FedSweep
import FedTensor
import Foundation
import Testing

@Suite struct TPESamplerTests {
    /// The best of `trials` evaluations of `function`, each suggested with what came before.
    private func bestOfTPE(
        _ space: SearchSpace,
        seed: UInt64,
        trials: Int,
        function: ([SweepKey: Double]) -> Double
    ) -> Double {
        let sampler = TPESampler(space: space, seed: seed, settings: .init(startupTrials: 5))
        var observations: [Observation] = []
        for number in 0..<trials {
            let values = sampler.suggest(number: number, observations: observations)
            observations.append(Observation(values: values, depth: 1, score: function(values)))
        }
        return observations.map(\.score).max()!
    }

    private func bestOfRandom(
        _ space: SearchSpace,
        seed: UInt64,
        trials: Int,
        function: ([SweepKey: Double]) -> Double
    ) -> Double {
        let sampler = TPESampler(space: space, seed: seed)
        var generator = SeededGenerator(seed: seed ^ 0xABCD)
        return (0..<trials).map { _ in function(sampler.random(using: &generator)) }.max()!
    }

    private func compare(
        _ space: SearchSpace,
        trials: Int,
        function: ([SweepKey: Double]) -> Double
    ) -> (Double, Double) {
        let seeds: [UInt64] = Array(1...20)
        let tpe = seeds.map { self.bestOfTPE(space, seed: $0, trials: trials, function: function) }
        let random = seeds.map { self.bestOfRandom(space, seed: $0, trials: trials, function: function) }
        return (tpe.reduce(0, +) / Double(seeds.count), random.reduce(0, +) / Double(seeds.count))
    }

    @Test func beatsRandomSearchOnALogScaleOptimumInOneDimension() {
        // A peak at learning rate 0.003 on a log scale from 1e-5 to 1.
        let space = SearchSpace([SearchParameter(.learningRate, .real(low: 1e-5, high: 1, log: true))])
        let (tpe, random) = self.compare(space, trials: 30) { values in
            -pow(log10(values[.learningRate]!) - log10(0.003), 2)
        }
        #expect(tpe > random, "TPE \(tpe), random \(random)")
    }

    @Test func beatsRandomSearchInTwoDimensionsWithAWholeNumberSetting() {
        let space = SearchSpace([
            SearchParameter(.learningRate, .real(low: 1e-4, high: 1, log: true)),
            SearchParameter(.localEpochs, .integer(low: 1, high: 20, log: false)),
        ])
        let (tpe, random) = self.compare(space, trials: 30) { values in
            let lr = log10(values[.learningRate]!) - log10(0.01)
            let epochs = (values[.localEpochs]! - 7) / 5
            return -(lr * lr + epochs * epochs)
        }
        #expect(tpe > random, "TPE \(tpe), random \(random)")
    }

    @Test func isPureAndKeepsEveryValueInItsRange() {
        let space = SearchSpace([
            SearchParameter(.batchSize, .integer(low: 8, high: 128, log: true)),
            SearchParameter(.proximalMu, .choice([0, 0.01, 0.1])),
            SearchParameter(.clipNorm, .real(low: 1, high: 20, log: true)),
        ])
        let sampler = TPESampler(space: space, seed: 9, settings: .init(startupTrials: 3))
        var observations: [Observation] = []
        for number in 0..<15 {
            let values = sampler.suggest(number: number, observations: observations)
            #expect(values == sampler.suggest(number: number, observations: observations))
            #expect((8...128).contains(values[.batchSize]!) && values[.batchSize]! == values[.batchSize]!.rounded())
            #expect([0, 0.01, 0.1].contains(values[.proximalMu]!))
            #expect((1...20).contains(values[.clipNorm]!))
            observations.append(Observation(values: values, depth: 1, score: -abs(values[.clipNorm]! - 4)))
        }
        // Another seed draws other settings.
        let other = TPESampler(space: space, seed: 10, settings: .init(startupTrials: 3))
        #expect(other.suggest(number: 0, observations: []) != sampler.suggest(number: 0, observations: []))
    }
}
