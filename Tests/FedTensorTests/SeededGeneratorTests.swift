import Foundation
import Testing

@testable import FedTensor

struct SeededGeneratorTests {
    @Test func sameSeedGivesSameStreamAndDifferentSeedsDiffer() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        var c = SeededGenerator(seed: 43)

        let streamA = (0..<5).map { _ in a.next() }
        let streamB = (0..<5).map { _ in b.next() }
        let streamC = (0..<5).map { _ in c.next() }

        #expect(streamA == streamB)
        #expect(streamA != streamC)
    }

    @Test func savedStateResumesTheStreamExactly() throws {
        var generator = SeededGenerator(seed: 9)
        for _ in 0..<10 { _ = generator.next() }
        let saved = try JSONEncoder().encode(generator)

        let expected = (0..<5).map { _ in generator.next() }
        var restored = try JSONDecoder().decode(SeededGenerator.self, from: saved)

        #expect((0..<5).map { _ in restored.next() } == expected)
    }

    @Test func normalSamplesHaveUnitMomentsAndUniformStaysInRange() {
        var generator = SeededGenerator(seed: 1)
        let samples = (0..<20_000).map { _ in Double(generator.nextNormal()) }
        let mean = samples.reduce(0, +) / Double(samples.count)
        let variance = samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(samples.count)
        let uniform = (0..<1000).map { _ in generator.nextUniform() }

        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
        #expect(uniform.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    @Test func shuffleIsAPermutationFixedBySeed() {
        var a = SeededGenerator(seed: 5)
        var b = SeededGenerator(seed: 5)
        var first = Array(0..<50)
        var second = Array(0..<50)

        a.shuffle(&first)
        b.shuffle(&second)

        #expect(first == second)
        #expect(first != Array(0..<50))
        #expect(first.sorted() == Array(0..<50))
    }
}
