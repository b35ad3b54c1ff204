import FedData
import FedLearning
import FedTensor
import Foundation
import OrderedCollections

/// One site of a simulated federation: its private examples, split into what it trains
/// on and what it holds out to score the global model, and the file a site process reads.
package struct SimulatedSite<Examples: LabeledExamples> {
    package var name: String
    package var train: Examples
    package var heldOut: Examples
    package var file: SiteFile
}

/// Everything a simulation starts from, for one kind of model: the pretrained model,
/// each site's private data, and one global held-out test set every model is scored on.
///
/// One model object serves the federation and every baseline in turn, reset to its
/// pretrained trainable tensors in between: a pretrained encoder is large, and a head-mode
/// text model keeps its frozen embeddings cached with the examples only while the encoder
/// it computed them with is the one in use.
package struct SimulationSetup<Model: SimulatedModel> {
    package let model: Model
    /// The model's trainable tensors as pretrained (frozen tensors never change).
    package let start: OrderedDictionary<String, Tensor>
    package var sites: [SimulatedSite<Model.Examples>]
    package var test: Model.Examples
    /// A head-only model for the pretrained baseline when the head is new (a linear probe
    /// on frozen embeddings); nil scores the pretrained model as it is.
    package var probe: Model?
    /// Classes the pretrained model never saw (scored by `min_new_class_recall`).
    package var newClasses: [Int] = []
    /// How the run was set up, for the report (model, data, sizes).
    package var settings: [(key: String, value: String)] = []
    /// Remarks for the report.
    package var notes: [String] = []

    init(model: Model, sites: [SimulatedSite<Model.Examples>], test: Model.Examples, probe: Model?) {
        self.model = model
        self.start = model.parameters.values(trainableOnly: true)
        self.sites = sites
        self.test = test
        self.probe = probe
    }

    package var siteNames: [String] { self.sites.map(\.name) }
    package var classNames: [String] { self.model.classNames }

    /// Puts the pretrained trainable tensors back into the model.
    package func reset() throws {
        try self.model.load(self.start, requireAll: false, source: "pretrained")
    }

    /// All sites' training examples pooled, for centralised training. Built when needed
    /// (not up front) so a head-mode model's embeddings, cached on each site's examples by
    /// then, carry over.
    package func pooledTraining() -> Model.Examples {
        Model.concatenate(self.sites.map(\.train), classNames: self.classNames)
    }

    /// The number of training examples of each class over all sites.
    package var pooledClassCounts: [Int] {
        var counts = [Int](repeating: 0, count: self.classNames.count)
        for site in self.sites { for label in site.train.labels { counts[label] += 1 } }
        return counts
    }
}
