/// What kind of model a baseline is, so the report knows which numbers to compare.
package enum BaselineKind: String, Codable, Sendable, CaseIterable {
    /// The pretrained model as is, before any fine-tuning.
    case pretrained
    /// One site fine-tuning on its own data only (its `label` names the site).
    case siteAlone
    /// The mean over sites of the site-alone models.
    case sitesAloneMean
    /// One model fine-tuned on all sites' data pooled: the upper bound federation aims at.
    case centralised
    /// The federation's final global model.
    case federated

    /// How the kind reads in the report.
    package var displayName: String {
        switch self {
        case .pretrained: "Pretrained"
        case .siteAlone: "Site alone"
        case .sitesAloneMean: "Sites alone (mean)"
        case .centralised: "Centralised"
        case .federated: "Federated"
        }
    }
}

/// One model evaluated on the global test set.
package struct BaselineResult: Codable, Sendable, Equatable {
    /// The name shown in tables, e.g. "Federated (FedAvg)".
    package var name: String
    /// What the model is.
    package var kind: BaselineKind
    /// A free qualifier, such as the site name of a site-alone model.
    package var label: String?
    /// Its metrics on the global test set.
    package var metrics: MetricsSummary

    package init(name: String, kind: BaselineKind, label: String? = nil, metrics: MetricsSummary) {
        self.name = name
        self.kind = kind
        self.label = label
        self.metrics = metrics
    }
}
