import ArgumentParser
import FedCommands
import FedFetch
import FedImage
import FedLearning
import FedSupport
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a classifier on a CSV file, from scratch (--arch) or fine-tuning a saved model (--model).",
        discussion: """
            With --text-column the data is text (CSV, or JSON Lines with a .jsonl name): --base names a BERT \
            folder or a model fedtune can fetch (all-MiniLM-L6-v2) to put a new head on, and --mode picks \
            what is trained: head (pooled embeddings computed once), last-n (--layers), lora (--lora-rank, \
            --lora-alpha, --lora-dropout, --lora-targets) or full.

            With an image folder (one subfolder of PNG files per class) or a NumPy .npz as --data, --base names \
            a CNN (efficientnet-lite0, a .pth checkpoint or a model folder) to put a new classifier on; --mode \
            is head, last-n (--layers blocks, the head convolution and the classifier) or full; images are \
            resized to --image-size; --batch-norm says whether trained batch norms travel in a federation \
            (federated) or stay at each site (local, FedBN); --augmentation takes YAML such as \
            '{horizontal_flip: true, rotation_degrees: 10, brightness: 0.1}'.
            """
    )

    @Option(help: "CSV file with a header row; or, for images, an image folder or a NumPy .npz.") var data: String
    @Option(help: "Name of the column holding the class label (tables and texts).") var label: String?
    @Option(help: "Folder to write model.json and model.safetensors into.") var out: String
    @Flag(help: "Replace a model already in --out.") var force = false
    @Option(help: "Architecture when training from scratch: logistic, mlp:W1,W2,… or an architecture JSON file.")
    var arch: String = "mlp:64"
    @Option(help: "A model folder to fine-tune (keeps its features, classes and standardisation).") var model: String?
    @Option(help: "Activation between hidden layers (relu, gelu, tanh).") var activation: String = "relu"
    @Option(help: "Dropout after each hidden layer.") var dropout: Float = 0
    @Option(name: .customLong("freeze"), help: "Keep tensors with this name prefix frozen (repeatable), e.g. hidden.0.")
    var freeze: [String] = []
    @Option(help: "Epochs.") var epochs: Int = 20
    @Option(name: .customLong("batch-size"), help: "Examples per step.") var batchSize: Int = 32
    @Option(help: "Learning rate.") var lr: Float = 1e-3
    @Option(help: "Optimizer: adamw or sgd.") var optimizer: String = "adamw"
    @Option(help: "SGD momentum.") var momentum: Float = 0.9
    @Option(name: .customLong("weight-decay"), help: "Weight decay (decoupled for AdamW, L2 for SGD).")
    var weightDecay: Float = 0
    @Option(help: "Learning-rate schedule: constant, linear or cosine.") var schedule: String = "constant"
    @Option(help: "Share of steps spent warming up (linear and cosine schedules).") var warmup: Double = 0
    @Option(name: .customLong("clip-norm"), help: "Clip the global gradient norm to this value.") var clipNorm: Float?
    @Option(help: "Stop after this many epochs without better validation loss, keeping the best weights.")
    var patience: Int?
    @Option(help: "Share of the data held out for validation.") var validation: Double = 0.1
    @Option(help: "Share of the data held out as a test set, scored at the end.") var test: Double = 0
    @Flag(name: .customLong("balance-classes"), help: "Weigh the loss by inverse class frequency.")
    var balanceClasses = false
    @Option(name: .customLong("label-smoothing"), help: "Label smoothing ε.") var labelSmoothing: Float = 0
    @Option(help: "Seed for splits, initialisation, shuffling and dropout.") var seed: UInt64 = 0
    @Option(name: .customLong("text-column"), help: "Train a text classifier on this column.") var textColumn: String?
    @Option(help: "Text models: a BERT folder, or a model name for `fedtune models fetch`.") var base: String?
    @OptionGroup var cacheOptions: CacheOptions
    @OptionGroup(title: "Rare classes") var imbalance: ImbalanceOptions
    @Option(help: "Text models: head, last-n, lora or full (default lora); images: head, last-n or full (default last-n).")
    var mode: String?
    @Option(help: "Text and image models, last-n mode: encoder layers or CNN blocks to train.") var layers: Int = 2
    @Option(name: .customLong("image-size"), help: "Images: the side images are resized to.") var imageSize: Int = 64
    @Option(name: .customLong("batch-norm"), help: "Images: federated or local (FedBN).") var batchNorm: String =
        "federated"
    @Option(help: "Images: augmentation of training batches, as YAML.") var augmentation: String?
    @Option(name: .customLong("class-names"), help: "Images in an .npz: names of labels 0, 1, …, comma-separated.")
    var classNames: String?
    @Option(help: "Images in an .npz: the split to read (train reads train_images and train_labels).") var split:
        String?
    @Option(name: .customLong("lora-rank"), help: "LoRA rank.") var loraRank: Int = 8
    @Option(name: .customLong("lora-alpha"), help: "LoRA alpha (scale = alpha / rank).") var loraAlpha: Float = 16
    @Flag(
        name: .customLong("lora-exact"),
        help: "Give each adapted projection a residual so a federation of this model aggregates LoRA exactly (FedEx-LoRA)."
    )
    var loraExact = false
    @Option(name: .customLong("lora-dropout"), help: "Dropout on the adapters' input.") var loraDropout: Float = 0.1
    @Option(name: .customLong("lora-targets"), help: "Projections with adapters, comma-separated.") var loraTargets:
        String = "query,value"

    func validate() throws {
        let existing = URL(fileURLWithPath: self.out).appendingPathComponent("model.json").path
        guard self.force || !FileManager.default.fileExists(atPath: existing) else {
            throw ValidationError(
                "--out \(self.out) already holds a model; pass --force to replace it, or choose another folder"
            )
        }
        guard ActivationKind(rawValue: self.activation) != nil else {
            throw ValidationError("--activation must be one of relu, gelu, tanh")
        }
        guard OptimizerKind(rawValue: self.optimizer) != nil else {
            throw ValidationError("--optimizer must be adamw or sgd")
        }
        guard TrainingConfiguration.Schedule(rawValue: self.schedule) != nil else {
            throw ValidationError("--schedule must be constant, linear or cosine")
        }
        if !ImageTraining.holdsImages(URL(fileURLWithPath: self.data)), self.label == nil {
            throw ValidationError("--label names the class column of \(self.data); it is needed for tables and texts")
        }
        guard self.epochs > 0, self.batchSize > 0, self.lr > 0 else {
            throw ValidationError("--epochs, --batch-size and --lr must be positive")
        }
    }

    func run() throws {
        var request = TableTraining.Request(
            data: URL(fileURLWithPath: self.data),
            labelColumn: self.label ?? "",
            output: URL(fileURLWithPath: self.out)
        )
        request.architecture = self.arch
        request.activation = ActivationKind(rawValue: self.activation)!
        request.dropout = self.dropout
        request.baseModel = self.model.map { URL(fileURLWithPath: $0) }
        request.freeze = self.freeze
        request.validationFraction = self.validation
        request.testFraction = self.test
        request.balanceClasses = self.balanceClasses
        var training = TrainingConfiguration()
        training.epochs = self.epochs
        training.batchSize = self.batchSize
        training.learningRate = self.lr
        training.optimizer = OptimizerConfiguration(
            kind: OptimizerKind(rawValue: self.optimizer)!,
            momentum: self.momentum,
            weightDecay: self.weightDecay
        )
        training.schedule = TrainingConfiguration.Schedule(rawValue: self.schedule)!
        training.warmupFraction = self.warmup
        training.gradientClipNorm = self.clipNorm
        training.patience = self.patience
        training.labelSmoothing = self.labelSmoothing
        training.seed = self.seed
        self.imbalance.apply(to: &training)
        request.training = training

        let outcome: TableTraining.Outcome
        if ImageTraining.holdsImages(URL(fileURLWithPath: self.data)) {
            let imageRequest = try self.imageRequest(training)
            outcome = try runReportingErrors {
                try ImageTraining(imageRequest, progress: ConsoleProgress()).run()
            }
        } else if let textColumn = self.textColumn {
            outcome = try runReportingErrors {
                try TextTraining(self.textRequest(textColumn, training), progress: ConsoleProgress()).run()
            }
        } else {
            outcome = try runReportingErrors { try TableTraining(request, progress: ConsoleProgress()).run() }
        }
        if let base = outcome.baseValidationAccuracy {
            print(String(format: "base model validation accuracy  %.4f", base))
        }
        if let validation = outcome.validation {
            print(
                String(
                    format: "validation accuracy  %.4f  macro-F1 %.4f  (kept epoch %d)",
                    validation.accuracy,
                    validation.macroF1,
                    outcome.history.bestEpoch
                )
            )
        }
        if let test = outcome.test {
            print("test set:\n" + test.table())
        }
        print("saved \(self.out)")
    }

    private func textRequest(_ textColumn: String, _ training: TrainingConfiguration) throws -> TextTraining.Request {
        var request = TextTraining.Request(
            data: URL(fileURLWithPath: self.data),
            textColumn: textColumn,
            labelColumn: self.label ?? "",
            output: URL(fileURLWithPath: self.out)
        )
        request.model = self.model.map { URL(fileURLWithPath: $0) }
        request.bases = self.cacheOptions.bases
        request.base = try self.baseFolder()
        guard let mode = FineTuning.Mode(rawValue: self.mode ?? "lora") else {
            throw ValidationError(
                "--mode must be one of \(FineTuning.Mode.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        request.fineTuning = FineTuning(
            mode: mode,
            layers: self.layers,
            lora: LoRASettings(
                rank: self.loraRank,
                alpha: self.loraAlpha,
                dropout: self.loraDropout,
                targets: self.loraTargets.split(separator: ",").map(String.init),
                exact: self.loraExact
            )
        )
        request.headDropout = self.dropout > 0 ? self.dropout : 0.1
        request.validationFraction = self.validation
        request.testFraction = self.test
        request.balanceClasses = self.balanceClasses
        request.training = training
        return request
    }

    private func imageRequest(_ training: TrainingConfiguration) throws -> ImageTraining.Request {
        var request = ImageTraining.Request(data: URL(fileURLWithPath: self.data), output: URL(fileURLWithPath: self.out))
        request.model = self.model.map { URL(fileURLWithPath: $0) }
        request.bases = self.cacheOptions.bases
        request.base = try self.baseFolder()
        guard let mode = ImageFineTuning.Mode(rawValue: self.mode ?? "last-n") else {
            throw ValidationError(
                "--mode for an image model must be one of \(ImageFineTuning.Mode.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        guard let batchNorm = ImageFineTuning.BatchNormPolicy(rawValue: self.batchNorm) else {
            throw ValidationError("--batch-norm must be federated or local")
        }
        request.fineTuning = ImageFineTuning(mode: mode, layers: self.layers, batchNorm: batchNorm)
        request.inputSize = self.imageSize
        if let text = self.augmentation {
            do throws(YAMLProblem) {
                let document = try YAMLDocument(text: text, path: "--augmentation")
                try document.check(AugmentationSettings.shape)
                request.augmentation = try document.decode(AugmentationSettings.self)
            } catch {
                throw ValidationError("--augmentation: \(error.message)")
            }
            if let problem = request.augmentation.problems.first { throw ValidationError("--augmentation: \(problem)") }
        }
        request.classNames = self.classNames.map { $0.split(separator: ",").map(String.init) }
        request.split = self.split
        request.dropout = self.dropout > 0 ? self.dropout : 0.2
        request.validationFraction = self.validation
        request.testFraction = self.test
        request.balanceClasses = self.balanceClasses
        request.training = training
        return request
    }

    /// `--base` as a path when it names one, else a model of the cache, fetched if missing.
    private func baseFolder() throws -> URL? {
        guard let base = self.base else { return nil }
        if FileManager.default.fileExists(atPath: base) { return URL(fileURLWithPath: base) }
        return try self.cacheOptions.artifactCache.model(named: base, log: progress)
    }
}
