/// A sum of float32 terms that does not depend on the order they were added in: each term
/// w·x is formed exactly in double precision (two 24-bit mantissas fit in 53 bits) and added
/// with Knuth's TwoSum into a double-double (hi, lo), which holds the exact sum unless the
/// terms of one element span more than about 2^55 in magnitude. Normalised before use, the
/// pair names that exact sum uniquely, so any arrival order of the sites' updates gives the
/// same bits. It costs 16 bytes per weight, still one model's size whatever the number of
/// sites.
struct ExactSum: Sendable {
    private(set) var hi: [Double]
    private(set) var lo: [Double]

    init(count: Int) {
        self.hi = [Double](repeating: 0, count: count)
        self.lo = [Double](repeating: 0, count: count)
    }

    /// Adds weight·values, element by element.
    mutating func add(_ weight: Float, _ values: [Float]) {
        precondition(values.count == self.hi.count)
        let w = Double(weight)
        self.hi.withUnsafeMutableBufferPointer { hi in
            self.lo.withUnsafeMutableBufferPointer { lo in
                values.withUnsafeBufferPointer { x in
                    for i in 0..<x.count {
                        let term = w * Double(x[i])
                        let sum = hi[i] + term
                        let back = sum - hi[i]
                        lo[i] += (hi[i] - (sum - back)) + (term - back)
                        hi[i] = sum
                    }
                }
            }
        }
    }

    /// The sum divided by `divisor`, each element rounded once to float32 from the exact
    /// (normalised) sum, so the result depends only on the terms, never on their order.
    func quotient(_ divisor: Double) -> [Float] {
        var out = [Float](repeating: 0, count: self.hi.count)
        for i in 0..<out.count {
            // Normalise: s = fl(hi + lo), e the exact rest; (s, e) is unique for the exact sum.
            let s = self.hi[i] + self.lo[i]
            let back = s - self.hi[i]
            let e = (self.hi[i] - (s - back)) + (self.lo[i] - back)
            // (s + e) / d: the quotient's rest s − q·d is exact with a fused multiply-add.
            let q = s / divisor
            let r = s.addingProduct(-q, divisor) + e
            out[i] = Float(q + r / divisor)
        }
        return out
    }
}
