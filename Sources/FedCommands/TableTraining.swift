import FedData
import FedLearning
import FedTensor
import Foundation

/// `fedtune train`: fits a classifier to one CSV file, from scratch or starting from a
/// saved model, and saves it only if training finished with a finite loss.
package struct TableTraining {
    /// What the command line (or a test) asks for.
    package struct Request: Sendable {
        package var data: URL
        package var labelColumn: String
        package var output: URL
        /// `logistic`, `mlp:256,256`, or the path of a `model.json`-style file; used when
        /// there is no base model.
        package var architecture: String = "mlp:64"
        package var activation: ActivationKind = .relu
        package var dropout: Float = 0
        /// A model folder to fine-tune; its feature order, classes and standardisation
        /// are kept.
        package var baseModel: URL?
        /// Tensor name prefixes to keep frozen, e.g. `hidden.0`.
        package var freeze: [String] = []
        package var validationFraction: Double = 0.1
        package var testFraction: Double = 0
        /// Weigh the loss by inverse class frequency.
        package var balanceClasses = false
        package var training = TrainingConfiguration()

        package init(data: URL, labelColumn: String, output: URL) {
            self.data = data
            self.labelColumn = labelColumn
            self.output = output
        }
    }

    /// What came of it.
    package struct Outcome: Sendable {
        package var history: TrainingHistory
        package var validation: ClassificationMetrics?
        package var test: ClassificationMetrics?
        /// Accuracy of the base model on the validation split before fine-tuning.
        package var baseValidationAccuracy: Double?
    }

    package var request: Request
    package var progress: any ProgressReporter

    package init(_ request: Request, progress: any ProgressReporter = SilentProgress()) {
        self.request = request
        self.progress = progress
    }

    package func run() throws -> Outcome {
        let request = self.request
        let base = try request.baseModel.map { try ModelFolder.load($0) }
        var data = try Dataset.readCSV(
            request.data,
            labelColumn: request.labelColumn,
            featureColumns: base?.architecture.featureNames,
            classNames: base?.architecture.classNames
        )
        let testFraction = request.testFraction
        let validationFraction = request.validationFraction
        let parts = try TrainingSplits.indices(
            labels: data.labels,
            validation: validationFraction,
            test: testFraction,
            seed: request.training.seed
        )

        let model: Classifier
        if let base {
            model = base
        } else {
            let standardizer = Standardizer(fitting: data.subset(parts[0]).features)
            let architecture = try Self.architecture(request, data: data, standardizer: standardizer)
            model = Classifier(architecture: architecture, seed: request.training.seed)
        }
        if !request.freeze.isEmpty { model.freeze(prefixes: request.freeze) }
        model.architecture.standardizer.apply(to: &data.features)
        let (train, validation, test) = (data.subset(parts[0]), data.subset(parts[1]), data.subset(parts[2]))

        var configuration = request.training
        if request.balanceClasses {
            configuration.classWeights = TrainingConfiguration.balancedClassWeights(counts: train.classCounts)
        }
        let baseAccuracy = base != nil && validation.count > 0 ? Self.metrics(model, validation).accuracy : nil
        let history = try Trainer(configuration: configuration, progress: self.progress)
            .fit(model, train: train, validation: validation.count > 0 ? validation : nil)
        // A threshold chosen on the validation split (`threshold_target`) travels in model.json.
        if let threshold = history.decisionThreshold { model.setDecisionThreshold(threshold) }
        try ModelFolder.save(model, to: request.output)
        return Outcome(
            history: history,
            validation: validation.count > 0 ? Self.metrics(model, validation) : nil,
            test: test.count > 0 ? Self.metrics(model, test) : nil,
            baseValidationAccuracy: baseAccuracy
        )
    }

    /// Scores of `model` on standardised `data` (with the rare-class scores for two classes).
    package static func metrics(_ model: Classifier, _ data: Dataset) -> ClassificationMetrics {
        model.metrics(data)
    }

    private static func architecture(
        _ request: Request,
        data: Dataset,
        standardizer: Standardizer
    ) throws
        -> ModelArchitecture
    {
        let hidden: [Int]
        if let widths = ModelArchitecture.hiddenWidths(parsing: request.architecture) {
            hidden = widths
        } else if FileManager.default.fileExists(atPath: request.architecture) {
            let file = URL(fileURLWithPath: request.architecture)
            let given = try ModelFolder.readArchitecture(
                file.deletingLastPathComponent(),
                fileName: file.lastPathComponent,
                checkPreprocessing: false
            )
            var architecture = given
            architecture.inputs = data.featureCount
            architecture.classes = data.classNames.count
            architecture.featureNames = data.featureNames
            architecture.classNames = data.classNames
            architecture.standardizer = standardizer
            return architecture
        } else {
            throw TrainingError.invalidConfiguration(
                detail: "--arch '\(request.architecture)' is neither 'logistic', 'mlp:W1,W2,…' nor an architecture file"
            )
        }
        return ModelArchitecture(
            inputs: data.featureCount,
            hidden: hidden,
            classes: data.classNames.count,
            activation: request.activation,
            dropout: request.dropout,
            featureNames: data.featureNames,
            classNames: data.classNames,
            standardizer: standardizer
        )
    }
}
