import FedSupport

/// What a robust rule made of a round's updates.
package struct RobustResult: Sendable, Equatable {
    /// The aggregate update, [length].
    package var average: [Float]
    /// Rows Krum or Multi-Krum kept, best score first; nil for the other rules.
    package var selected: [Int]?
    /// The factor each row was scaled by under norm bounding (1 when within the bound); nil
    /// for the other rules.
    package var scales: [Float]?
    /// One sentence on what the rule did, for the round's record.
    package var note: String?

    package init(average: [Float], selected: [Int]? = nil, scales: [Float]? = nil, note: String? = nil) {
        self.average = average
        self.selected = selected
        self.scales = scales
        self.note = note
    }
}

/// Robust aggregation rules, pure functions of a round's updates (rows of an `UpdateRows`,
/// read in place from a memory-mapped file or memory, never copied whole).
///
/// Memory and time for n updates of L values (disk: n·L·4 bytes in the round's update file):
///
/// | rule             | RAM per worker besides the result (L·4 bytes)             | time     |
/// |------------------|-----------------------------------------------------------|----------|
/// | median           | 2·n·B·4 bytes (a block of every row, and transposed)      | O(n·L)   |
/// | trimmed mean     | 2·n·B·4 bytes                                             | O(n·L)   |
/// | Krum, Multi-Krum | n·B·4 + n²·16 bytes (exact squared distances) + B·4       | O(n²·L)  |
/// | norm bounding    | n·B·4 + n·16 bytes (norms) + B·16 bytes (exact sums)      | O(n·L)   |
///
/// B = `blockSize(rows:)`, between 1,024 and 4,096 coordinates, so a block of every row stays
/// near 4 MB (n = 50: 800 KB; n = 1,000: 4 MB). Each rule copies one block of every row at a
/// time out of the store (`UpdateRows.read`), never the whole round. Work is split over blocks
/// between the machine's workers (`Parallel`); Multi-Krum and norm bounding read the rows twice.
///
/// Rows must be finite (the update validator rejects NaN and infinity before storing).
/// Results do not depend on the order the rows were stored in, except how Krum breaks an exact
/// tie between scores (the lower row wins).
package enum RobustAggregation {
    /// The robust aggregate of `rows` (one per site, already clipped by the caller if
    /// `strategy.clip_norm` is set), with `weights` (example counts, one per row) where the rule
    /// uses them: Multi-Krum's and norm bounding's averages are example-weighted, as FedAvg and
    /// Flower's `aggregate_krum`; the median and trimmed mean are unweighted, as in Yin et al.;
    /// Krum returns one row.
    package static func aggregate(
        _ rows: UpdateRows,
        weights: [Double],
        rule: RobustRule
    ) throws(RobustRuleError) -> RobustResult {
        precondition(weights.count == rows.count, "one weight per row: \(weights.count) weights for \(rows.count) rows")
        precondition(weights.allSatisfy { $0.isFinite && $0 > 0 }, "weights (example counts) must be positive")
        try rule.validate()
        guard rows.count >= rule.minimumUpdates else {
            throw .tooFewUpdates(
                rule: rule.name,
                needed: rule.minimumUpdates,
                found: rows.count,
                hint: Self.hint(for: rule)
            )
        }
        switch rule {
        case .median:
            return RobustResult(average: Self.coordinateWise(rows, trim: nil))
        case .trimmedMean(let beta):
            let trim = Self.trimCount(beta: beta, rows: rows.count)
            return RobustResult(
                average: Self.coordinateWise(rows, trim: trim),
                note: "dropped the \(trim) largest and \(trim) smallest of \(rows.count) values per coordinate"
            )
        case .krum(let f):
            return Self.krum(rows, weights: weights, f: f, m: 1)
        case .multiKrum(let f, let m):
            return Self.krum(rows, weights: weights, f: f, m: m)
        case .normBounding(let multiple):
            return Self.normBounding(rows, weights: weights, multiple: multiple)
        }
    }

    /// Values dropped at each end per coordinate by the β-trimmed mean of n values: ⌊β·n⌋
    /// (β = 0.1 drops one of 10 to 19 values at each end, none of 9). The small allowance keeps
    /// a product such as 0.29 × 100 = 28.999… from losing a whole value to rounding.
    package static func trimCount(beta: Double, rows: Int) -> Int {
        Int((beta * Double(rows) + 1e-9).rounded(.down))
    }

    /// Coordinates per block: a block of every row (n·B floats) stays within about 4 MB.
    package static func blockSize(rows: Int) -> Int {
        max(1024, min(4096, (1 << 20) / max(rows, 1) / 1024 * 1024))
    }

    private static func hint(for rule: RobustRule) -> String {
        switch rule {
        case .median, .trimmedMean, .normBounding:
            "no site's update was accepted this round"
        case .krum:
            "lower strategy.byzantine_sites or sample more sites"
        case .multiKrum:
            "lower strategy.byzantine_sites or strategy.krum_selected, or sample more sites"
        }
    }
}
