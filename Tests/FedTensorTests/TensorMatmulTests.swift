import Testing

@testable import FedTensor

struct TensorMatmulTests {
    /// C = op(A)·op(B) by three nested loops, the reference for every BLAS call.
    static func naive(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
        let m = transposeA ? a.shape[1] : a.shape[0]
        let k = transposeA ? a.shape[0] : a.shape[1]
        let n = transposeB ? b.shape[0] : b.shape[1]
        var c = Tensor(shape: [m, n])
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let x = transposeA ? a[p, i] : a[i, p]
                    let y = transposeB ? b[j, p] : b[p, j]
                    sum += x * y
                }
                c[i, j] = sum
            }
        }
        return c
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matmulMatchesNaiveProductForEveryTransposeCombination(transposeA: Bool, transposeB: Bool) {
        var generator = SeededGenerator(seed: 11)
        let (m, k, n) = (5, 7, 3)
        let a = Tensor.normal(shape: transposeA ? [k, m] : [m, k], std: 1, using: &generator)
        let b = Tensor.normal(shape: transposeB ? [n, k] : [k, n], std: 1, using: &generator)

        let c = Tensor.matmul(a, b, transposeA: transposeA, transposeB: transposeB)

        #expect(c.shape == [m, n])
        #expect(c.maxAbsDifference(Self.naive(a, b, transposeA: transposeA, transposeB: transposeB)) < 1e-5)
    }

    @Test func accumulatingMatmulAddsToExistingValues() {
        var generator = SeededGenerator(seed: 3)
        let a = Tensor.normal(shape: [4, 6], std: 1, using: &generator)
        let b = Tensor.normal(shape: [6, 2], std: 1, using: &generator)
        var c = Tensor(shape: [4, 2], repeating: 1)

        Tensor.matmul(a, b, into: &c, accumulate: true)

        var expected = Self.naive(a, b, transposeA: false, transposeB: false)
        expected.add(Tensor(shape: [4, 2], repeating: 1))
        #expect(c.maxAbsDifference(expected) < 1e-5)
    }

    @Test(arguments: [(false, false), (false, true), (true, false)])
    func batchedMatmulMultipliesEachBatchIndependently(transposeA: Bool, transposeB: Bool) {
        var generator = SeededGenerator(seed: 5)
        let (batch, m, k, n) = (3, 4, 5, 2)
        let a = Tensor.normal(shape: transposeA ? [batch, k, m] : [batch, m, k], std: 1, using: &generator)
        let b = Tensor.normal(shape: transposeB ? [batch, n, k] : [batch, k, n], std: 1, using: &generator)
        var c = Tensor(shape: [0])

        Tensor.batchedMatmul(a, b, transposeA: transposeA, transposeB: transposeB, into: &c)

        #expect(c.shape == [batch, m, n])
        for i in 0..<batch {
            let ai = Tensor(
                shape: Array(a.shape.dropFirst()),
                scalars: Array(a.scalars[(i * m * k)..<((i + 1) * m * k)])
            )
            let bi = Tensor(
                shape: Array(b.shape.dropFirst()),
                scalars: Array(b.scalars[(i * k * n)..<((i + 1) * k * n)])
            )
            let ci = Tensor(shape: [m, n], scalars: Array(c.scalars[(i * m * n)..<((i + 1) * m * n)]))
            #expect(ci.maxAbsDifference(Self.naive(ai, bi, transposeA: transposeA, transposeB: transposeB)) < 1e-5)
        }
    }

    @Test func resizeKeepsStorageWhenTheElementCountIsUnchanged() {
        var t = Tensor(shape: [2, 6], repeating: 7)

        t.resize(to: [3, 4])

        #expect(t.shape == [3, 4])
        #expect(t.scalars.allSatisfy { $0 == 7 })
    }
}
