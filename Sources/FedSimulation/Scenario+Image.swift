import FedImage
import FedLearning

extension Scenario {
    /// Reads the `image` section and the image model's `fine_tuning` and `dropout`; every
    /// problem names the key.
    mutating func readImage(
        _ image: ScenarioFile.Image,
        _ file: ScenarioFile,
        invalid: (String) -> ScenarioError
    ) throws {
        guard !self.isText else { throw invalid("give either text_column (a text model) or image, not both") }
        guard self.pretrain == nil, self.model != nil else {
            throw invalid("an image scenario starts from model (a CNN checkpoint or folder, or efficientnet-lite0)")
        }
        guard self.freeze.isEmpty else {
            throw invalid("freeze is for tabular models; an image model freezes by fine_tuning.mode")
        }
        switch self.data {
        case .images, .dataset: break
        default: throw invalid("an image scenario reads data.npz, data.images or an image dataset")
        }
        var settings = ImageSettings()
        if let size = image.size {
            guard (16...1024).contains(size) else { throw invalid("image.size must be in 16...1024, found \(size)") }
            settings.inputSize = size
        }
        if let augmentation = image.augmentation {
            if let problem = augmentation.problems.first { throw invalid("image.augmentation: \(problem)") }
            settings.augmentation = augmentation
        }
        settings.positiveClass = image.positiveClass
        settings.classNames = image.classNames
        if let names = image.classNames, names.count < 2 || Set(names).count != names.count {
            throw invalid("image.class_names must name at least 2 distinct classes")
        }
        if let scanners = image.scanners {
            guard scanners.count == self.sites else {
                throw invalid("image.scanners must list one scanner per site (\(self.sites)), found \(scanners.count)")
            }
            for (site, scanner) in scanners.enumerated() {
                if let problem = scanner.problems.first { throw invalid("image.scanners[\(site)]: \(problem)") }
            }
            settings.scanners = scanners
        }
        if let given = file.fineTuning {
            guard let tuning = given.image else {
                throw invalid("fine_tuning.mode for an image model must be head, last-n or full (and batch_norm federated or local)")
            }
            settings.fineTuning = tuning
        }
        if let dropout = file.dropout {
            guard (0..<1).contains(dropout) else { throw invalid("dropout must be in [0, 1)") }
            self.dropout = dropout
        } else {
            self.dropout = 0.2
        }
        if file.maxLength != nil { throw invalid("max_length is for text models") }
        self.image = settings
    }
}
