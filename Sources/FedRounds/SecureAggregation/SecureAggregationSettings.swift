import Foundation
import FedSecAgg
import FedSupport

/// The `secure_aggregation` section of coordinator.yaml and scenario files:
///
///     secure_aggregation:
///       neighbours: 6     # k: each site masks with k others (SecAgg+); all others if absent
///       threshold: 4      # t: shares that rebuild a secret; a strict majority of k + 1 if absent
///
/// With it the coordinator sees only the sum of each round's clipped, quantised updates
/// (Bonawitz et al. 2017; SecAgg+, Bell et al. 2020). It needs a clip norm (`privacy` or
/// `strategy`), at least 3 sites per round, and every update weighs the same.
package struct SecureAggregationSettings: Sendable, Equatable, Codable {
    package var neighbours: Int?
    package var threshold: Int?

    package init(neighbours: Int? = nil, threshold: Int? = nil) {
        self.neighbours = neighbours
        self.threshold = threshold
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case neighbours, threshold
    }

    /// What a YAML file may hold under `secure_aggregation`.
    package static let shape = YAMLShape.values(CodingKeys.allCases.map(\.rawValue))

    /// k for `sites` sampled sites: the setting (at most n − 1, made even unless n − 1),
    /// else every other site up to 8 sites, and beyond that an even number near 3·log₂ n, as
    /// SecAgg+ needs O(log n) neighbours.
    package func neighbourCount(sites n: Int) -> Int {
        var k: Int
        if let wanted = self.neighbours {
            k = Swift.min(wanted, n - 1)
        } else if n <= 8 {
            k = n - 1
        } else {
            k = Swift.min(n - 1, Swift.max(6, Int((3 * log2(Double(n))).rounded(.up))))
        }
        if k != n - 1, k % 2 == 1 { k -= 1 }
        return Swift.max(k, 2)
    }

    /// t for k neighbours: the setting, else the smallest strict majority of the k + 1
    /// share holders, which tolerates the most dropouts.
    package func threshold(neighbours k: Int) -> Int {
        self.threshold ?? ((k + 1) / 2 + 1)
    }

    /// Why these settings cannot work with rounds of `sites` sampled sites, or nil.
    package func problem(sites n: Int) -> String? {
        if let k = self.neighbours, k < 2 { return "secure_aggregation.neighbours must be at least 2, not \(k)" }
        guard n >= 3 else {
            return "secure aggregation needs at least 3 sites per round (min_sites is \(n)): with two, each "
                + "learns the other's update from the sum"
        }
        let k = self.neighbourCount(sites: n)
        let t = self.threshold(neighbours: k)
        guard 2 * t > k + 1, t <= k else {
            return "secure_aggregation.threshold must be a strict majority of the \(k + 1) share holders and at "
                + "most \(k): choose \((k + 1) / 2 + 1)…\(k), not \(t)"
        }
        return nil
    }
}

/// What a site needs to take part in a round with secure aggregation: the protocol's
/// configuration, and whether it appends its "unclipped" bit (adaptive clipping) to the
/// masked vector.
package struct SecureSetup: Sendable, Equatable, Codable {
    package var configuration: SecAggConfiguration
    /// The last value of the vector is C·[‖Δ‖ ≤ C], so the sum counts unclipped updates.
    package var countsUnclipped: Bool

    package init(configuration: SecAggConfiguration, countsUnclipped: Bool) {
        self.configuration = configuration
        self.countsUnclipped = countsUnclipped
    }
}
