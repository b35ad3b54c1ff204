import FedData
import FedLearning
import FedTensor
import Foundation

/// Everything a simulation starts from: the pretrained model, each site's private
/// training data, and one global held-out test set every model is scored on.
package struct SimulationSetup {
    package var pretrained: Classifier
    package var siteNames: [String]
    /// Standardised with the pretrained model's statistics, as a site would.
    package var siteData: [Dataset]
    /// The same examples as read, before standardisation: what a site's CSV file holds.
    package var siteRawData: [Dataset]
    package var test: Dataset

    package init(_ scenario: Scenario) throws {
        self.pretrained = try Self.pretrainedModel(scenario)
        if !scenario.freeze.isEmpty { self.pretrained.freeze(prefixes: scenario.freeze) }
        let architecture = self.pretrained.architecture
        var all: Dataset
        var columnValues: [String]?
        switch scenario.data {
        case .synthetic(let shift, let examples):
            var domain = scenario.pretrain!.domain
            domain.shift = shift
            all = domain.sample(count: examples, seed: scenario.seed &+ 101)
            all.featureNames = architecture.featureNames
            all.classNames = architecture.classNames
        case .csv(let path, let label):
            let table = try CSVTable.read(contentsOf: URL(fileURLWithPath: path))
            all = try Dataset(table: table, labelColumn: label, featureColumns: architecture.featureNames,
                              classNames: architecture.classNames)
            if case .byColumn(let column) = scenario.partition, !architecture.featureNames.contains(column) {
                let index = try table.column(named: column)
                columnValues = table.records.map { $0.fields[index] }
            }
        }
        let raw = all
        architecture.standardizer.apply(to: &all.features)
        let parts = StratifiedSplit.indices(
            labels: all.labels, fractions: [1 - scenario.testFraction, scenario.testFraction], seed: scenario.seed &+ 202)
        self.test = all.subset(parts[1])
        let pool = all.subset(parts[0])
        let rawPool = raw.subset(parts[0])
        let indices: [[Int]]
        if let columnValues {
            let split = Partitioner.split(byValues: parts[0].map { columnValues[$0] })
            self.siteNames = split.names
            indices = split.indices
        } else {
            indices = try Partitioner.split(pool, sites: scenario.sites, partition: scenario.partition, seed: scenario.seed &+ 303)
            self.siteNames = (1...indices.count).map { String(format: "site-%03d", $0) }
        }
        self.siteData = indices.map { pool.subset($0) }
        self.siteRawData = indices.map { rawPool.subset($0) }
    }

    private static func pretrainedModel(_ scenario: Scenario) throws -> Classifier {
        if let folder = scenario.model { return try ModelFolder.load(URL(fileURLWithPath: folder)) }
        let pretrain = scenario.pretrain!
        var source = pretrain.domain.sample(count: pretrain.examples, seed: scenario.seed &+ 11)
        let standardizer = Standardizer(fitting: source.features)
        standardizer.apply(to: &source.features)
        guard let hidden = ModelArchitecture.hiddenWidths(parsing: pretrain.architecture) else {
            throw ScenarioError.invalid(path: scenario.name, detail: "pretrain.arch must be logistic or mlp:W1,W2,…")
        }
        let architecture = ModelArchitecture(
            inputs: source.featureCount, hidden: hidden, classes: source.classNames.count,
            featureNames: source.featureNames, classNames: source.classNames, standardizer: standardizer)
        let model = Classifier(architecture: architecture, seed: scenario.seed)
        _ = try Trainer(configuration: pretrain.training).fit(model, train: source)
        return model
    }

    /// Accuracy and macro-F1 of a model on the global test set.
    package func score(_ model: Classifier) -> ClassificationMetrics {
        LocalTraining.metrics(model, self.test)
    }
}
