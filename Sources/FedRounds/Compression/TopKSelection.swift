/// Finds the positions of the k values of largest magnitude in one pass per 16 bits.
///
/// The bit pattern of |x| orders non-negative floats as integers do, so a radix select on
/// it finds the k-th largest magnitude in three linear passes (high 16 bits, low 16 bits,
/// then the positions) with no sort, no copy of the values and no bad inputs (runs of
/// equal values, e.g. the zero rows of an embedding no example touched, cost nothing extra).
package enum TopKSelection {
    /// The positions of the k largest |values|, increasing; among equal magnitudes at the
    /// threshold, the lower positions are kept. k is clamped to 0…count.
    package static func largestMagnitudes(_ values: [Float], count k: Int) -> [Int32] {
        let k = Swift.min(Swift.max(k, 0), values.count)
        guard k > 0 else { return [] }
        return values.withUnsafeBufferPointer { values in
            let magnitude = { (i: Int) -> UInt32 in values[i].bitPattern & 0x7FFF_FFFF }
            var histogram = [Int](repeating: 0, count: 1 << 16)
            // Pass 1: which high half holds the k-th largest, and how many lie above it.
            for i in 0..<values.count { histogram[Int(magnitude(i) >> 16)] += 1 }
            let (high, aboveHigh) = Self.bucket(holding: k, in: histogram)
            // Pass 2: the low half of the threshold, among magnitudes sharing that high half.
            for i in 0..<histogram.count { histogram[i] = 0 }
            for i in 0..<values.count where magnitude(i) >> 16 == high {
                histogram[Int(magnitude(i) & 0xFFFF)] += 1
            }
            let (low, aboveLow) = Self.bucket(holding: k - aboveHigh, in: histogram)
            let threshold = high << 16 | low
            // Pass 3: everything above the threshold, and the first ties at it until k are taken.
            var ties = k - aboveHigh - aboveLow
            var positions = [Int32]()
            positions.reserveCapacity(k)
            for i in 0..<values.count {
                let m = magnitude(i)
                if m > threshold || (m == threshold && ties > 0) {
                    if m == threshold { ties -= 1 }
                    positions.append(Int32(i))
                }
            }
            return positions
        }
    }

    /// The highest bucket at which the count from the top reaches `rank`, and how many
    /// values lie in the buckets above it.
    private static func bucket(holding rank: Int, in histogram: [Int]) -> (bucket: UInt32, above: Int) {
        var above = 0
        var bucket = histogram.count - 1
        while above + histogram[bucket] < rank {
            above += histogram[bucket]
            bucket -= 1
        }
        return (UInt32(bucket), above)
    }
}
