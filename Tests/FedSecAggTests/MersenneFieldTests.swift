import FedSecAgg
import Testing

@Suite struct MersenneFieldTests {
    let p = MersenneField.prime

    @Test func multiplicationMatchesWideArithmetic() {
        var generator = SplitMix64(seed: 1)
        for _ in 0..<1000 {
            let a = MersenneField.random(using: &generator)
            let b = MersenneField.random(using: &generator)
            let (high, low) = a.multipliedFullWidth(by: b)
            let expected = self.p.dividingFullWidth((high, low)).remainder

            #expect(MersenneField.multiply(a, b) == expected)
        }
        #expect(MersenneField.multiply(self.p - 1, self.p - 1) == 1)
    }

    @Test func inverseTimesValueIsOne() {
        var generator = SplitMix64(seed: 2)
        for _ in 0..<100 {
            let a = MersenneField.random(using: &generator) | 1
            #expect(MersenneField.multiply(a, MersenneField.inverse(a)) == 1)
        }
    }

    @Test func additionAndSubtractionWrapAtThePrime() {
        #expect(MersenneField.add(self.p - 1, 1) == 0)
        #expect(MersenneField.subtract(0, 1) == self.p - 1)
        #expect(MersenneField.subtract(5, 3) == 2)
    }
}
