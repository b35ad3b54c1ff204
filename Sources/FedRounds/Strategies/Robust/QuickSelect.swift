/// Hoare's selection (quickselect) on a small buffer of floats: puts the value that sorting
/// would place at `k` there, nothing greater before it and nothing smaller after it, in O(n)
/// average time without sorting. The robust rules run it once or twice per coordinate.
enum QuickSelect {
    /// Below this many values a range is finished by insertion sort.
    private static let insertionLimit = 16

    /// Rearranges `values[low...high]` so `values[k]` holds its sorted value, with every value
    /// in `low..<k` at most it and every value in `k+1...high` at least it.
    static func select(_ values: UnsafeMutablePointer<Float>, _ k: Int, low: Int, high: Int) {
        precondition(low <= k && k <= high, "position \(k) outside \(low)...\(high)")
        var low = low
        var high = high
        while high - low > Self.insertionLimit {
            // Median of three as pivot; it also leaves sentinels at both ends, so the scans
            // below stop inside the range.
            let middle = low + (high - low) / 2
            if values[middle] < values[low] { values.swapAt(middle, low) }
            if values[high] < values[low] { values.swapAt(high, low) }
            if values[high] < values[middle] { values.swapAt(high, middle) }
            let pivot = values[middle]
            var i = low
            var j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Now low...j ≤ pivot ≤ i...high, and anything strictly between j and i equals pivot.
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                return
            }
        }
        for i in (low + 1)..<(high + 1) {
            let value = values[i]
            var j = i - 1
            while j >= low && values[j] > value {
                values[j + 1] = values[j]
                j -= 1
            }
            values[j + 1] = value
        }
    }
}

extension UnsafeMutablePointer<Float> {
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let value = self[i]
        self[i] = self[j]
        self[j] = value
    }
}
