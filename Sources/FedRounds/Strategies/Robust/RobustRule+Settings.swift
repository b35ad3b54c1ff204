extension RobustRule {
    /// The values `strategy.aggregation` may take; `mean` is FedAvg's running sum, no robust rule.
    package static let aggregationNames = ["mean", "median", "trimmed_mean", "krum", "multi_krum", "norm_bounding"]

    /// The rule that the `strategy` keys name, validated, or nil for `mean` (or no
    /// `strategy.aggregation`): plain FedAvg. Every parameter the rule uses must be given, and
    /// none it does not use may be, so a typo in the rule's name never silently drops a setting.
    ///
    /// - Parameters:
    ///   - aggregation: `strategy.aggregation`.
    ///   - trimFraction: `strategy.trim_fraction`, β of the trimmed mean.
    ///   - byzantineSites: `strategy.byzantine_sites`, f of Krum and Multi-Krum.
    ///   - krumSelected: `strategy.krum_selected`, m of Multi-Krum.
    ///   - normBoundMultiple: `strategy.norm_bound_multiple`, the norm bound as a multiple of the
    ///     round's median update norm.
    package static func fromSettings(
        aggregation: String?,
        trimFraction: Double? = nil,
        byzantineSites: Int? = nil,
        krumSelected: Int? = nil,
        normBoundMultiple: Double? = nil
    ) throws(RobustRuleError) -> RobustRule? {
        let name = aggregation ?? "mean"
        let given: [(key: String, isSet: Bool)] = [
            ("strategy.trim_fraction", trimFraction != nil),
            ("strategy.byzantine_sites", byzantineSites != nil),
            ("strategy.krum_selected", krumSelected != nil),
            ("strategy.norm_bound_multiple", normBoundMultiple != nil),
        ]
        let rule: RobustRule?
        switch name {
        case "mean":
            rule = nil
        case "median":
            rule = .median
        case "trimmed_mean":
            rule = .trimmedMean(beta: try Self.required(trimFraction, "strategy.trim_fraction", name, Self.trimHelp))
        case "krum":
            rule = .krum(f: try Self.required(byzantineSites, "strategy.byzantine_sites", name, Self.byzantineHelp))
        case "multi_krum":
            rule = .multiKrum(
                f: try Self.required(byzantineSites, "strategy.byzantine_sites", name, Self.byzantineHelp),
                m: try Self.required(krumSelected, "strategy.krum_selected", name, Self.selectedHelp)
            )
        case "norm_bounding":
            rule = .normBounding(
                multiple: try Self.required(normBoundMultiple, "strategy.norm_bound_multiple", name, Self.boundHelp)
            )
        default:
            throw .unknownAggregation(name)
        }
        let used = Set(rule.map(Self.keys(of:)) ?? [])
        if let unused = given.first(where: { $0.isSet && !used.contains($0.key) }) {
            throw .unusedSetting(key: unused.key, aggregation: name)
        }
        try rule?.validate()
        return rule
    }

    private static let trimHelp = "β, at least 0 and below 0.5; 0.1 drops a tenth of the values at each end"
    private static let byzantineHelp = "how many sites may be hostile, an integer of at least 0"
    private static let selectedHelp = "how many of the best-scored updates to average, an integer of at least 1"
    private static let boundHelp = "the bound as a multiple of the round's median update norm, above 0; 1 is typical"

    /// The `strategy` keys a rule reads.
    private static func keys(of rule: RobustRule) -> [String] {
        switch rule {
        case .median: []
        case .trimmedMean: ["strategy.trim_fraction"]
        case .krum: ["strategy.byzantine_sites"]
        case .multiKrum: ["strategy.byzantine_sites", "strategy.krum_selected"]
        case .normBounding: ["strategy.norm_bound_multiple"]
        }
    }

    private static func required<T>(
        _ value: T?,
        _ key: String,
        _ aggregation: String,
        _ allowed: String
    ) throws(RobustRuleError) -> T {
        guard let value else { throw .missingSetting(key: key, aggregation: aggregation, allowed: allowed) }
        return value
    }
}
