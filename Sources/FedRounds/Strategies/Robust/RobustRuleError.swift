/// Why robust aggregation's settings were refused or a round could not be aggregated by its rule.
package enum RobustRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The round has fewer updates than the rule needs; the round closes without a new model.
    case tooFewUpdates(rule: String, needed: Int, found: Int, hint: String)
    case unknownAggregation(String)
    case outOfRange(key: String, value: String, allowed: String)
    /// A rule parameter that `strategy.aggregation` needs is missing.
    case missingSetting(key: String, aggregation: String, allowed: String)
    /// A parameter is set that the chosen `strategy.aggregation` does not use.
    case unusedSetting(key: String, aggregation: String)

    package var description: String {
        switch self {
        case .tooFewUpdates(let rule, let needed, let found, let hint):
            "\(rule.prefix(1).uppercased() + rule.dropFirst()) needs at least \(needed) updates, "
                + "the round has \(found): \(hint)"
        case .unknownAggregation(let name):
            "strategy.aggregation is '\(name)'; use one of \(RobustRule.aggregationNames.joined(separator: ", "))"
        case .outOfRange(let key, let value, let allowed):
            "\(key) is \(value); it must be \(allowed)"
        case .missingSetting(let key, let aggregation, let allowed):
            "strategy.aggregation: \(aggregation) needs \(key) (\(allowed))"
        case .unusedSetting(let key, let aggregation):
            "\(key) does not apply to strategy.aggregation: \(aggregation); remove it or choose the rule it belongs to"
        }
    }
}
