import FedData
import FedFetch
import FedLearning
import FedTensor
import Foundation

extension SimulationSetup where Model == Classifier {
    /// A tabular federation: the model pretrained (on a synthetic domain or a public share
    /// of the data) or loaded, the data standardised with the model's statistics.
    static func tabular(_ scenario: Scenario, cache: ArtifactCache, log: (String) -> Void) throws -> Self {
        func invalid(_ detail: String) -> ScenarioError { .invalid(path: scenario.name, detail: detail) }
        var model: Classifier?
        var all: Dataset
        var groups: [String]?
        var ranges: RangeValues?
        switch scenario.data {
        case .synthetic(let shift, let examples):
            let pretrained = try Self.pretrainOnDomain(scenario)
            var domain = scenario.pretrain!.domain!
            domain.shift = shift
            all = domain.sample(count: examples, seed: scenario.seed &+ 101)
            all.featureNames = pretrained.architecture.featureNames
            all.classNames = pretrained.architecture.classNames
            model = pretrained
        case .images:
            throw invalid("image data needs an image model (an image section)")
        case .csv, .dataset:
            let url = try scenario.dataFile(cache: cache, log: log)
            let table = try CSVTable.read(contentsOf: url)
            let label = scenario.labelColumn
            var column: String?
            if case .byColumn(let name) = scenario.partition {
                column = name
                let index = try table.column(named: name)
                groups = table.records.map { $0.fields[index] }
            }
            if let (name, mix) = scenario.rangeColumns {
                // The period column is not a feature either; the mix column stays one.
                column = name
                ranges = try RangeValues(table, column: name, mix: mix?.column)
            }
            if let folder = scenario.model {
                model = try ModelFolder.load(URL(fileURLWithPath: folder))
            } else if scenario.pretrain?.domain != nil {
                model = try Self.pretrainOnDomain(scenario)
            }
            // A site identifier is not a feature, unless a loaded model says it is one.
            let features = model?.architecture.featureNames ?? table.header.filter { $0 != label && $0 != column }
            all = try Dataset(
                table: table,
                labelColumn: label,
                featureColumns: features,
                classNames: model?.architecture.classNames
            )
        }
        let raw = all
        let pretrainClasses = try scenario.pretrain?.classes.map { names in
            Set(
                try names.map { name in
                    guard let index = all.classNames.firstIndex(of: name) else {
                        throw invalid(
                            "pretrain.classes names '\(name)', which is not a class of the data "
                                + "(\(all.classNames.joined(separator: ", ")))"
                        )
                    }
                    return index
                }
            )
        }
        let fromData = model == nil
        let plan = try DataPlan(
            labels: all.labels,
            classCount: all.classNames.count,
            groups: groups,
            scenario: scenario,
            pretrainClasses: pretrainClasses,
            pretrainExamples: fromData ? scenario.pretrain?.examples : nil,
            ranges: ranges
        )
        let pretrained = try model ?? Self.pretrainOnShare(scenario, data: all.subset(plan.pretrain))
        if !scenario.freeze.isEmpty { pretrained.freeze(prefixes: scenario.freeze) }
        pretrained.architecture.standardizer.apply(to: &all.features)

        let hostile = scenario.attack?.hostile(plan.siteNames) ?? []
        let sites = plan.siteNames.indices.map { site in
            var train = all.subset(plan.siteTrain[site])
            if let attack = scenario.attack, hostile.contains(plan.siteNames[site]) {
                train.labels = attack.flipped(train.labels, classes: all.classNames.count)
            }
            return SimulatedSite(
                name: plan.siteNames[site],
                train: train,
                heldOut: all.subset(plan.siteHeldOut[site]),
                file: .table(raw.subset(plan.sites[site]))
            )
        }
        var setup = Self(model: pretrained, sites: sites, test: all.subset(plan.test), probe: nil)
        let architecture = pretrained.architecture
        let layers = ([architecture.inputs] + architecture.hidden + [architecture.classes]).map(String.init).joined(
            separator: "-"
        )
        setup.settings = [
            ("model", "MLP \(layers)"), ("trainable parameters", "\(pretrained.parameters.trainableScalarCount)"),
        ]
        if let pretrain = scenario.pretrain {
            let source =
                pretrain.domain == nil
                ? "\(plan.pretrain.count) examples held out of the data" : "a synthetic source domain"
            setup.settings.append(
                (
                    "pretrained on",
                    source + (pretrain.classes.map { " (classes \($0.joined(separator: ", ")) only)" } ?? "")
                )
            )
        }
        if let seen = pretrainClasses {
            setup.newClasses = all.classNames.indices.filter { !seen.contains($0) }
        }
        return setup
    }

    /// Pretraining on the scenario's synthetic source domain.
    private static func pretrainOnDomain(_ scenario: Scenario) throws -> Classifier {
        let pretrain = scenario.pretrain!
        let source = pretrain.domain!.sample(count: pretrain.examples, seed: scenario.seed &+ 11)
        return try self.pretrainOnShare(scenario, data: source)
    }

    /// An MLP of `pretrain.arch` trained on `data`, whose statistics it keeps for
    /// standardising; its head has every class of the data, seen in `data` or not.
    private static func pretrainOnShare(_ scenario: Scenario, data: Dataset) throws -> Classifier {
        guard let pretrain = scenario.pretrain else {
            throw ScenarioError.invalid(path: scenario.name, detail: "no model and no pretrain settings")
        }
        var source = data
        let standardizer = Standardizer(fitting: source.features)
        standardizer.apply(to: &source.features)
        guard let hidden = ModelArchitecture.hiddenWidths(parsing: pretrain.architecture) else {
            throw ScenarioError.invalid(path: scenario.name, detail: "pretrain.arch must be logistic or mlp:W1,W2,…")
        }
        let architecture = ModelArchitecture(
            inputs: source.featureCount,
            hidden: hidden,
            classes: source.classNames.count,
            featureNames: source.featureNames,
            classNames: source.classNames,
            standardizer: standardizer
        )
        let model = Classifier(architecture: architecture, seed: scenario.seed)
        _ = try Trainer(configuration: pretrain.training).fit(model, train: source)
        return model
    }
}

extension Scenario {
    /// The label column: `data.label` for a CSV file, `label` for a fetched dataset.
    var labelColumn: String {
        if case .csv(_, let label) = self.data { return label }
        return "label"
    }

    /// The data file, fetched into the cache first for a named dataset.
    func dataFile(cache: ArtifactCache, log: (String) -> Void) throws -> URL {
        switch self.data {
        case .csv(let path, _): return URL(fileURLWithPath: path)
        case .dataset(let name): return try cache.dataset(named: name, log: log).csv
        case .synthetic: throw ScenarioError.invalid(path: self.name, detail: "synthetic data has no file")
        case .images(let path): return URL(fileURLWithPath: path)
        }
    }
}
