import Testing

@testable import FedTensor

struct TensorElementwiseTests {
    @Test func arithmeticAndReductionsMatchHandValues() {
        var a = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let b = Tensor(shape: [2, 2], scalars: [0.5, -1, 2, 0])

        a.add(b)
        #expect(a.scalars == [1.5, 1, 5, 4])
        a.multiply(b)
        #expect(a.scalars == [0.75, -1, 10, 0])
        a.axpy(2, b)
        #expect(a.scalars == [1.75, -3, 14, 0])
        a.scale(by: 2)
        #expect(a.scalars == [3.5, -6, 28, 0])

        #expect(a.sum() == 25.5)
        #expect(a.max() == 28)
        #expect(a.min() == -6)
        #expect(a.dot(b) == 1.75 + 6 + 56)
        #expect(Tensor(shape: [2], scalars: [3, 4]).norm() == 5)
    }

    @Test func rowBroadcastAndColumnSumsAreTransposesOfEachOther() {
        var m = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        var sums = Tensor(shape: [3])

        m.addRowVector(Tensor(shape: [3], scalars: [10, 20, 30]))
        sums.accumulateColumnSums(of: m)

        #expect(m.scalars == [11, 22, 33, 14, 25, 36])
        #expect(sums.scalars == [25, 47, 69])
    }

    @Test func finitenessCatchesNaNAndInfinity() {
        #expect(Tensor(shape: [3], scalars: [1, -2, 3]).isFinite)
        #expect(!Tensor(shape: [3], scalars: [1, .nan, 3]).isFinite)
        #expect(!Tensor(shape: [2], scalars: [.infinity, 0]).isFinite)
    }

    @Test func argmaxPicksTheFirstLargestEntryPerRow() {
        let t = Tensor(shape: [3, 3], scalars: [0, 5, 1, 7, 7, 2, -1, -3, -2])

        #expect(t.argmaxRows() == [1, 0, 0])
    }
}
