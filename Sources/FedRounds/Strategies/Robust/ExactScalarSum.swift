/// One exact, order-independent sum of doubles, the scalar form of `ExactSum`: Knuth's TwoSum
/// keeps the rounding error of each addition in `lo`, so (hi, lo) holds the exact sum of terms
/// that span less than about 2^55 in magnitude, and its normalised quotient does not depend on
/// the order the terms came in (the order rows were stored in).
struct ExactScalarSum {
    private var hi = 0.0
    private var lo = 0.0

    mutating func add(_ term: Double) {
        let sum = self.hi + term
        let back = sum - self.hi
        self.lo += (self.hi - (sum - back)) + (term - back)
        self.hi = sum
    }

    /// Adds another exact sum, both its parts, so the total stays exact.
    mutating func add(_ other: ExactScalarSum) {
        self.add(other.hi)
        self.add(other.lo)
    }

    /// The sum divided by `divisor`, rounded once from the exact (normalised) sum.
    func quotient(_ divisor: Double) -> Double {
        // Normalise: s = fl(hi + lo) and e the exact rest; (s, e) is unique for the exact sum.
        let s = self.hi + self.lo
        let back = s - self.hi
        let e = (self.hi - (s - back)) + (self.lo - back)
        // (s + e) / d: the quotient's rest s − q·d is exact with a fused multiply-add.
        let q = s / divisor
        let r = s.addingProduct(-q, divisor) + e
        return q + r / divisor
    }
}
