import FedData
import FedLearning
import Foundation

/// `fedtune evaluate`: scores a saved model on a labelled CSV file, applying the
/// model's own feature order, classes and standardisation.
package enum ModelEvaluation {
    package static func run(model folder: URL, data: URL, labelColumn: String) throws -> ClassificationMetrics {
        let model = try ModelFolder.load(folder)
        var dataset = try Dataset.readCSV(
            data,
            labelColumn: labelColumn,
            featureColumns: model.architecture.featureNames,
            classNames: model.architecture.classNames
        )
        model.architecture.standardizer.apply(to: &dataset.features)
        return TableTraining.metrics(model, dataset)
    }
}
