import FedData
import FedLearning
import FedTensor
import Foundation

/// `fedtune train --text-column …`: fine-tunes a text classifier on one CSV or JSON Lines
/// file, either a new one on a pretrained BERT folder (`base`) or a saved text model, and
/// saves it only if training finished with a finite loss.
package struct TextTraining {
    package struct Request: Sendable {
        package var data: URL
        package var textColumn: String
        package var labelColumn: String
        package var output: URL
        /// A Hugging Face BERT folder to put a new head on (classes from the data).
        package var base: URL?
        /// A text model folder written by fedtune to go on training (its classes are kept).
        package var model: URL?
        /// Where a saved model that stores only what it trains finds its base.
        package var bases = BaseModelLocator.standard
        package var fineTuning = FineTuning()
        package var headDropout: Float = 0.1
        package var validationFraction: Double = 0.1
        package var testFraction: Double = 0
        package var balanceClasses = false
        package var training = TrainingConfiguration()

        package init(data: URL, textColumn: String, labelColumn: String, output: URL) {
            self.data = data
            self.textColumn = textColumn
            self.labelColumn = labelColumn
            self.output = output
        }
    }

    package var request: Request
    package var progress: any ProgressReporter

    package init(_ request: Request, progress: any ProgressReporter = SilentProgress()) {
        self.request = request
        self.progress = progress
    }

    package func run() throws -> TableTraining.Outcome {
        let request = self.request
        let model: TextClassifier
        let texts: LabeledTexts
        if let folder = request.model {
            model = try TextModelFolder.load(folder, bases: request.bases)
            texts = try LabeledTexts.read(
                request.data,
                textColumn: request.textColumn,
                labelColumn: request.labelColumn,
                classNames: model.architecture.classNames
            )
        } else if let base = request.base {
            texts = try LabeledTexts.read(
                request.data,
                textColumn: request.textColumn,
                labelColumn: request.labelColumn
            )
            model = try TextClassifier(
                pretrained: try PretrainedBert.load(base),
                classNames: texts.classNames,
                fineTuning: request.fineTuning,
                dropout: request.headDropout,
                seed: request.training.seed
            )
        } else {
            throw TrainingError.invalidConfiguration(
                detail: "text training needs --base (a BERT folder) or --model (a text model)"
            )
        }
        let (validationFraction, testFraction) = (request.validationFraction, request.testFraction)
        let parts = try TrainingSplits.indices(
            labels: texts.labels,
            validation: validationFraction,
            test: testFraction,
            seed: request.training.seed
        )
        let examples = model.examples(texts: texts.texts, labels: texts.labels)
        let (train, validation, test) = (
            examples.subset(parts[0]), examples.subset(parts[1]), examples.subset(parts[2])
        )
        return try TrainingSplits.fit(
            model,
            train: train,
            validation: validation,
            test: test,
            configuration: request.training,
            classCounts: request.balanceClasses ? train.classCounts : nil,
            resumed: request.model != nil,
            progress: self.progress
        ) { try TextModelFolder.save(model, to: request.output) }
    }
}
