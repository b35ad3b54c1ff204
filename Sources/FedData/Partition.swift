/// How a dataset is split across sites.
package enum Partition: Sendable, Equatable, Codable {
    /// Examples shuffled and dealt round-robin, so every site sees the same distribution.
    case iid
    /// Label skew: each class's examples are shared across sites with proportions drawn
    /// from Dir(alpha); small alpha (0.1) gives each site a few dominant classes, large
    /// alpha (100) is close to iid.
    case dirichlet(alpha: Double)
    /// Natural sites: one site per distinct value of the named column, ordered by value.
    case byColumn(String)
    /// Sites of equal size whose share of class `positive` is `shares[site]` (a screening
    /// population's prevalence at each hospital); as many examples as the scarcer side allows.
    case prevalence(positive: String, shares: [Double])
    /// Periods: the examples sorted by a numeric column (time) and cut into one contiguous
    /// range of equal count per site (quantile bins), optionally mixed by a second column
    /// (`RangeMix`: each bank's customers lean towards one amount band).
    case ranges(column: String, mix: RangeMix?)
}
