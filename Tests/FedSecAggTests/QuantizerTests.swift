import FedSecAgg
import Testing

@Suite struct QuantizerTests {
    let quantizer = Quantizer(clipBound: 2, maxSummands: 20)

    @Test func oneUpdateComesBackWithinTheErrorBound() throws {
        var generator = SplitMix64(seed: 1)
        let update = (0..<10_000).map { _ in Float.random(in: -2...2, using: &generator) } + [-2, 2, 0]

        let restored = self.quantizer.dequantize(try self.quantizer.quantize(update, using: &generator))

        let bound = self.quantizer.errorBound
        for (x, y) in zip(update, restored) {
            #expect(Double(abs(x - y)) <= bound + Double(abs(x)) * 0x1p-23)
        }
        #expect(bound == 2.0 / Double(Int32.max / 20))
    }

    @Test func theSumOfTheMostUpdatesAtTheBoundDoesNotWrap() throws {
        var generator = SplitMix64(seed: 2)
        var high = [UInt32](repeating: 0, count: 2)
        for _ in 0..<20 {
            let q = try self.quantizer.quantize([2, -2], using: &generator)
            high[0] &+= q[0]
            high[1] &+= q[1]
        }

        let sum = self.quantizer.dequantize(high)

        #expect(abs(sum[0] - 40) < 1e-4)
        #expect(abs(sum[1] + 40) < 1e-4)
    }

    @Test func aSumOfManyUpdatesIsWithinTheSummedBound() throws {
        var generator = SplitMix64(seed: 3)
        let updates = (0..<20).map { _ in (0..<1000).map { _ in Float.random(in: -2...2, using: &generator) } }
        var sum = [UInt32](repeating: 0, count: 1000)
        for update in updates {
            let q = try self.quantizer.quantize(update, using: &generator)
            for index in 0..<1000 { sum[index] &+= q[index] }
        }

        let restored = self.quantizer.dequantize(sum)

        for index in 0..<1000 {
            let exact = updates.reduce(0.0) { $0 + Double($1[index]) }
            #expect(abs(Double(restored[index]) - exact) <= 20 * self.quantizer.errorBound + abs(exact) * 0x1p-23)
        }
    }

    @Test func stochasticRoundingIsUnbiased() throws {
        var generator = SplitMix64(seed: 4)
        // A value a third of the way between two levels rounds up a third of the time.
        let x = Float((10 + 1.0 / 3) / self.quantizer.scale)

        let draws = try self.quantizer.quantize([Float](repeating: x, count: 30_000), using: &generator)
        let mean = draws.reduce(0.0) { $0 + Double(Int32(bitPattern: $1)) } / 30_000

        #expect(abs(mean - Double(x) * self.quantizer.scale) < 0.02)
    }

    @Test func refusesNonFiniteAndOutOfBoundCoordinates() {
        var generator = SplitMix64(seed: 5)

        #expect(throws: SecAggError.unquantisable(index: 1, value: 2.5, clipBound: 2)) {
            try self.quantizer.quantize([0, 2.5], using: &generator)
        }
        #expect(throws: SecAggError.self) { try self.quantizer.quantize([.nan], using: &generator) }
    }
}
