import FedData
import FedImage
import FedLearning
import FedTensor
import Foundation
import OrderedCollections

/// A site's side of a round: rebuilds the global model from the base model and the
/// round's trainable tensors, fine-tunes it on the site's training split and returns
/// delta = local − global for the trainable tensors.
///
/// One site's conversation uses it one step at a time (a round's training runs on a thread
/// of its own while the conversation awaits it), never from two places at once.
final class SiteTrainer: @unchecked Sendable {
    let data: URL
    let labelColumn: String
    let textColumn: String
    let evaluationFraction: Double
    let seed: UInt64
    /// The split data for the model it was prepared for: a site reads (and tokenises) its
    /// file once per connection, not once per round.
    private var tabular: (architecture: ModelArchitecture, train: Dataset, evaluation: Dataset)?
    private var text: (architecture: TextClassifierArchitecture, train: TextExamples, evaluation: TextExamples)?
    private var image: (architecture: ImageClassifierArchitecture, train: ImageExamples, evaluation: ImageExamples)?
    private var base: (digest: String, model: AnyClassifier)?
    /// What the threshold a site reports with an evaluation is chosen for: the last round's
    /// `threshold_target` (best F1 before any round, or when the round asks for none).
    var thresholdTarget: ThresholdTarget = .bestF1

    init(data: URL, labelColumn: String, textColumn: String, evaluationFraction: Double, seed: UInt64) {
        self.data = data
        self.labelColumn = labelColumn
        self.textColumn = textColumn
        self.evaluationFraction = evaluationFraction
        self.seed = seed
    }

    /// The base model rebuilt from its blob, decoded once per digest and reused: a pretrained
    /// encoder is large, and rounds overwrite only its trainable tensors (which also keeps a
    /// head-mode model's cached embeddings valid from round to round).
    func baseModel(digest: String, blob: Data, source: String) throws -> AnyClassifier {
        if let base = self.base, base.digest == digest { return base.model }
        let model = try ModelPackage.decodeAny(blob, source: source, bases: .nowhere)
        self.base = (digest, model)
        return model
    }

    /// Before joining: the data file is there and holds the label column (and, for JSON
    /// Lines, the text key), so a typo stops the site before it talks to anyone.
    /// Returns the number of labelled rows, which the site announces when it joins (the
    /// most its updates may weigh).
    func precheck() throws -> Int {
        guard FileManager.default.isReadableFile(atPath: self.data.path) else {
            throw DataError.unreadable(path: self.data.path, reason: "no such file, or it is not readable")
        }
        if self.holdsImages {
            // Class names are the model's, known only once it arrives: count the images now.
            let images = try LabeledImages.read(self.data, classNames: nil)
            return images.count
        }
        if self.data.pathExtension.lowercased() == "jsonl" {
            return try LabeledTexts.read(self.data, textColumn: self.textColumn, labelColumn: self.labelColumn).count
        }
        let table = try CSVTable.read(contentsOf: self.data)
        _ = try table.column(named: self.labelColumn)
        return table.records.count
    }

    /// Reads and splits the data for `model` now (it is kept for the rounds): a missing
    /// feature or text column, or a label the model does not know, is found before training.
    func check(_ model: AnyClassifier) throws {
        switch model {
        case .tabular(let model): _ = try self.splits(for: model)
        case .text(let model): _ = try self.splits(for: model)
        case .image(let model): _ = try self.splits(for: model)
        }
    }

    /// Whether the site's data is images: a folder (one subfolder of PNGs per class) or an .npz.
    var holdsImages: Bool {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: self.data.path, isDirectory: &isFolder)
        return exists && (isFolder.boolValue || self.data.pathExtension.lowercased() == "npz")
    }

    func train(
        base: AnyClassifier,
        trainable: OrderedDictionary<String, Tensor>,
        configuration: TrainingConfiguration
    ) throws
        -> RoundTraining.Result
    {
        switch base {
        case .tabular(let model):
            return try RoundTraining.train(
                model,
                global: trainable,
                data: try self.splits(for: model).train,
                configuration: configuration
            )
        case .text(let model):
            return try RoundTraining.train(
                model,
                global: trainable,
                data: try self.splits(for: model).train,
                configuration: configuration
            )
        case .image(let model):
            return try RoundTraining.train(
                model,
                global: trainable,
                data: try self.splits(for: model).train,
                configuration: configuration
            )
        }
    }

    struct Evaluation {
        var examples: Int
        var metrics: [String: Double]
    }

    /// Scores the global model (base plus the round's trainable tensors) on the site's
    /// held-out split: accuracy, macro F1 and loss.
    func evaluate(_ base: AnyClassifier, trainable: OrderedDictionary<String, Tensor>) throws -> Evaluation {
        try base.load(trainable, requireAll: false, source: "round tensors")
        switch base {
        case .tabular(let model): return self.score(model, try self.splits(for: model).evaluation)
        case .text(let model): return self.score(model, try self.splits(for: model).evaluation)
        case .image(let model): return self.score(model, try self.splits(for: model).evaluation)
        }
    }

    private func score<Model: TrainableClassifier>(_ model: Model, _ held: Model.Examples) -> Evaluation {
        let (examples, metrics) = RoundTraining.evaluate(model, on: held, threshold: self.thresholdTarget)
        return Evaluation(examples: examples, metrics: metrics)
    }

    /// The site's data with the model's features, classes and standardisation, split
    /// (seeded, stratified) into a training part and a held-out evaluation part.
    func splits(for model: Classifier) throws -> (train: Dataset, evaluation: Dataset) {
        let architecture = model.architecture
        if let prepared = self.tabular, prepared.architecture == architecture {
            return (prepared.train, prepared.evaluation)
        }
        var data = try Dataset.readCSV(
            self.data,
            labelColumn: self.labelColumn,
            featureColumns: architecture.featureNames,
            classNames: architecture.classNames
        )
        architecture.standardizer.apply(to: &data.features)
        let parts = self.parts(data.labels)
        let split = (train: data.subset(parts[0]), evaluation: data.subset(parts[1]))
        self.tabular = (architecture, split.train, split.evaluation)
        return split
    }

    /// The site's texts, tokenised for the model and split like tabular data.
    func splits(for model: TextClassifier) throws -> (train: TextExamples, evaluation: TextExamples) {
        if let prepared = self.text, prepared.architecture == model.architecture {
            return (prepared.train, prepared.evaluation)
        }
        let texts = try LabeledTexts.read(
            self.data,
            textColumn: self.textColumn,
            labelColumn: self.labelColumn,
            classNames: model.architecture.classNames
        )
        let examples = model.examples(texts: texts.texts, labels: texts.labels)
        let parts = self.parts(texts.labels)
        let split = (train: examples.subset(parts[0]), evaluation: examples.subset(parts[1]))
        self.text = (model.architecture, split.train, split.evaluation)
        return split
    }

    /// The site's images, labelled with the model's classes, split like tabular data.
    func splits(for model: ImageClassifier) throws -> (train: ImageExamples, evaluation: ImageExamples) {
        if let prepared = self.image, prepared.architecture == model.architecture {
            return (prepared.train, prepared.evaluation)
        }
        let images = try LabeledImages.read(self.data, classNames: model.architecture.classNames)
        let examples = model.examples(images)
        let parts = self.parts(images.labels)
        let split = (train: examples.subset(parts[0]), evaluation: examples.subset(parts[1]))
        self.image = (model.architecture, split.train, split.evaluation)
        return split
    }

    private func parts(_ labels: [Int]) -> [[Int]] {
        StratifiedSplit.indices(
            labels: labels,
            fractions: [1 - self.evaluationFraction, self.evaluationFraction],
            seed: self.seed
        )
    }
}
