import FedData
import FedImage
import FedLearning
import FedTensor
import Foundation

/// `fedtune evaluate` and `fedtune predict`: a saved model of either kind on a file, with
/// the model's own feature order, standardisation, classes and tokenizer.
package enum ModelScoring {
    /// Scores a model folder on labelled data: CSV for a tabular model; CSV or JSON Lines
    /// (`.jsonl`) with a text column for a text model; an image folder or .npz for an image model.
    package static func evaluate(
        model folder: URL,
        data: URL,
        labelColumn: String,
        textColumn: String = "text",
        bases: BaseModelLocator = .standard
    ) throws -> ClassificationMetrics {
        switch try AnyClassifier.load(folder, bases: bases) {
        case .tabular(let model):
            var dataset = try Dataset.readCSV(
                data,
                labelColumn: labelColumn,
                featureColumns: model.architecture.featureNames,
                classNames: model.architecture.classNames
            )
            model.architecture.standardizer.apply(to: &dataset.features)
            return TableTraining.metrics(model, dataset)
        case .text(let model):
            let texts = try LabeledTexts.read(
                data,
                textColumn: textColumn,
                labelColumn: labelColumn,
                classNames: model.architecture.classNames
            )
            return model.metrics(model.examples(texts: texts.texts, labels: texts.labels))
        case .image(let model):
            let images = try LabeledImages.read(data, classNames: model.architecture.classNames)
            return model.metrics(model.examples(images))
        }
    }

    /// One input's predicted class and the probability of every class.
    package struct Prediction: Sendable, Equatable, Encodable {
        /// 1-based position of the input among the file's rows.
        package var row: Int
        package var label: String
        package var probabilities: [String: Double]
    }

    /// Predicts every row of `data` (no label needed).
    package static func predict(
        model folder: URL,
        data: URL,
        textColumn: String = "text",
        bases: BaseModelLocator = .standard
    ) throws -> (
        classNames: [String], predictions: [Prediction]
    ) {
        let logits: Tensor
        let classNames: [String]
        var threshold: Double?
        switch try AnyClassifier.load(folder, bases: bases) {
        case .tabular(let model):
            let architecture = model.architecture
            var features = try UnlabeledRows.features(data, columns: architecture.featureNames)
            architecture.standardizer.apply(to: &features)
            let rows = features.shape[0]
            let dataset = Dataset(
                features: features,
                labels: Array(repeating: 0, count: rows),
                featureNames: architecture.featureNames,
                classNames: architecture.classNames
            )
            logits = Self.logits(model, dataset, count: rows)
            classNames = architecture.classNames
            threshold = architecture.decisionThreshold
        case .text(let model):
            let texts = try UnlabeledRows.texts(data, column: textColumn)
            let examples = model.examples(texts: texts, labels: Array(repeating: 0, count: texts.count))
            logits = Self.logits(model, examples, count: texts.count)
            classNames = model.architecture.classNames
        case .image(let model):
            // Labels, if the data has them, are not used: only the images are scored.
            let images = try LabeledImages.read(data, classNames: model.architecture.classNames)
            logits = Self.logits(model, model.examples(images), count: images.count)
            classNames = model.architecture.classNames
        }
        let classes = classNames.count
        // A two-class model with a decision threshold decides by it, not by the argmax.
        let decided = BinaryDecision.classes(logits, threshold: threshold)
        let predictions = (0..<(logits.shape.first ?? 0)).map { row in
            let values = logits.scalars[(row * classes)..<((row + 1) * classes)].map(Double.init)
            let top = values.max() ?? 0
            let exponentials = values.map { Foundation.exp($0 - top) }
            let total = exponentials.reduce(0, +)
            let best = decided[row]
            return Prediction(
                row: row + 1,
                label: classNames[best],
                probabilities: Dictionary(uniqueKeysWithValues: zip(classNames, exponentials.map { $0 / total }))
            )
        }
        return (classNames, predictions)
    }

    private static func logits<Model: TrainableClassifier>(
        _ model: Model,
        _ examples: Model.Examples,
        count: Int
    )
        -> Tensor
    {
        var all = Tensor(shape: [count, model.classCount])
        var start = 0
        while start < count {
            let end = Swift.min(start + 256, count)
            let batch = model.logits(examples, rows: Array(start..<end)[...], training: false)
            all.scalars.replaceSubrange(
                (start * model.classCount)..<(end * model.classCount),
                with: batch.scalars
            )
            start = end
        }
        return all
    }
}
