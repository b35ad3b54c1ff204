import FedData
import FedImage
import FedLearning
import FedTensor
import Foundation

/// `fedtune train --data IMAGES …` with an image folder or an .npz: fine-tunes an image
/// classifier, either a new one on a pretrained CNN (`base`) or a saved image model, and
/// saves it only if training finished with a finite loss.
package struct ImageTraining {
    package struct Request: Sendable {
        /// An image folder (one subfolder of PNG files per class) or an .npz.
        package var data: URL
        package var output: URL
        /// A pretrained CNN (checkpoint, safetensors or model folder) to put a new classifier on.
        package var base: URL?
        /// An image model folder written by fedtune to go on training (its classes are kept).
        package var model: URL?
        /// Where a saved model that stores only what it trains finds its base.
        package var bases = BaseModelLocator.standard
        /// Names of an .npz's labels 0, 1, … (an image folder names its own classes).
        package var classNames: [String]?
        /// The .npz's split to read (`train` reads `train_images`, `train_labels`); nil reads
        /// `images` and `labels`, or `test_…` when those are absent.
        package var split: String?
        package var fineTuning = ImageFineTuning()
        package var inputSize = 64
        package var augmentation = AugmentationSettings.none
        package var dropout: Float = 0.2
        package var validationFraction: Double = 0.1
        package var testFraction: Double = 0
        package var balanceClasses = false
        package var training = TrainingConfiguration()

        package init(data: URL, output: URL) {
            self.data = data
            self.output = output
        }
    }

    package var request: Request
    package var progress: any ProgressReporter

    package init(_ request: Request, progress: any ProgressReporter = SilentProgress()) {
        self.request = request
        self.progress = progress
    }

    /// Whether `url` holds images (a folder or an .npz) rather than a table.
    package static func holdsImages(_ url: URL) -> Bool {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
        return exists && (isFolder.boolValue || url.pathExtension.lowercased() == "npz")
    }

    package func run() throws -> TableTraining.Outcome {
        let request = self.request
        let model: ImageClassifier
        let images: ImageSet
        if let folder = request.model {
            model = try ImageModelFolder.load(folder, bases: request.bases)
            images = try LabeledImages.read(request.data, classNames: model.architecture.classNames, split: request.split)
        } else if let base = request.base {
            images = try LabeledImages.read(request.data, classNames: request.classNames, split: request.split)
            model = try ImageClassifier(
                pretrained: try PretrainedEfficientNet.load(base),
                classNames: images.classNames,
                fineTuning: request.fineTuning,
                inputSize: request.inputSize,
                augmentation: request.augmentation,
                dropout: request.dropout,
                seed: request.training.seed
            )
        } else {
            throw TrainingError.invalidConfiguration(
                detail: "image training needs --base (a CNN such as efficientnet-lite0) or --model (an image model)"
            )
        }
        let parts = try TrainingSplits.indices(
            labels: images.labels,
            validation: request.validationFraction,
            test: request.testFraction,
            seed: request.training.seed
        )
        let (train, validation, test) = (
            model.examples(images.subset(parts[0])), model.examples(images.subset(parts[1])),
            model.examples(images.subset(parts[2]))
        )
        return try TrainingSplits.fit(
            model,
            train: train,
            validation: validation,
            test: test,
            configuration: request.training,
            classCounts: request.balanceClasses ? images.subset(parts[0]).classCounts : nil,
            resumed: request.model != nil,
            progress: self.progress
        ) { try ImageModelFolder.save(model, to: request.output) }
    }
}
