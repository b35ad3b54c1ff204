import FedData
import FedFetch
import FedImage
import FedLearning
import Foundation

extension SimulationSetup where Model == ImageClassifier {
    /// An image federation: a pretrained CNN with a new classifier, each site's images
    /// rendered by its own scanner (`image.scanners`), the global test set drawn from every
    /// site's scanner in turn.
    static func image(_ scenario: Scenario, cache: ArtifactCache, log: (String) -> Void) throws -> Self {
        func invalid(_ detail: String) -> ScenarioError { .invalid(path: scenario.name, detail: detail) }
        guard let settings = scenario.image else { throw invalid("an image scenario needs an image section") }
        let url: URL
        var classNames = settings.classNames
        var dataNote: String?
        switch scenario.data {
        case .images(let path):
            url = URL(fileURLWithPath: path)
        case .dataset(let name) where name == PneumoniaMNISTSource.name:
            let dataset = try cache.fetchPneumoniaMNIST(log: log)
            url = dataset.npz
            classNames = classNames ?? dataset.classNames
            let counts = ["train", "val", "test"].map { split in
                "\(split) \((dataset.classCounts[split] ?? []).map(String.init).joined(separator: "/"))"
            }
            dataNote =
                "Data: PneumoniaMNIST (MedMNIST v2, CC BY 4.0), SHA-256 \(dataset.sha256.prefix(12))…, "
                + (dataset.official
                    ? "MedMNIST's official file"
                    : "not MedMNIST's official file (its MD5 differs from the published one)")
                + "; images per split (normal/pneumonia): \(counts.joined(separator: ", ")). All splits are pooled "
                + "and split again by this scenario, so the numbers are not comparable with MedMNIST's benchmarks."
        default:
            throw invalid("an image scenario reads data.npz, data.images or dataset: \(PneumoniaMNISTSource.name)")
        }
        let all = try Self.pool(url, classNames: classNames)
        if let positive = settings.positiveClass, !all.classNames.contains(positive) {
            throw invalid(
                "image.positive_class '\(positive)' is not one of the classes (\(all.classNames.joined(separator: ", ")))"
            )
        }
        let plan = try DataPlan(
            labels: all.labels,
            classCount: all.classNames.count,
            groups: nil,
            scenario: scenario,
            pretrainClasses: nil,
            pretrainExamples: nil,
            classNames: all.classNames
        )

        guard let name = scenario.model else { throw invalid("an image scenario needs model (a CNN)") }
        let location =
            FileManager.default.fileExists(atPath: name)
            ? URL(fileURLWithPath: name) : try cache.model(named: name, log: log)
        let pretrained = try PretrainedEfficientNet.load(location)
        func classifier(_ fineTuning: ImageFineTuning) throws -> ImageClassifier {
            try ImageClassifier(
                pretrained: pretrained,
                classNames: all.classNames,
                fineTuning: fineTuning,
                inputSize: settings.inputSize,
                augmentation: settings.augmentation,
                dropout: scenario.dropout,
                seed: scenario.seed
            )
        }
        let model = try classifier(settings.fineTuning)
        // The linear probe trains a new classifier on the frozen backbone; in head mode that is the model itself.
        let probe = settings.fineTuning.mode == .head ? model : try classifier(ImageFineTuning(mode: .head))

        let scanners = settings.scanners
        func rendered(_ indices: [Int], scanner site: Int?, seed: UInt64) -> ImageSet {
            let images = all.subset(indices)
            guard let site, !scanners.isEmpty else { return images }
            return scanners[site].apply(to: images, seed: seed)
        }
        let sites = plan.siteNames.indices.map { site in
            // The site's images as its scanner renders them, in the order its file lists them.
            let images = rendered(plan.sites[site], scanner: site, seed: scenario.seed &+ 707 &+ UInt64(site))
            let position = Dictionary(uniqueKeysWithValues: plan.sites[site].enumerated().map { ($1, $0) })
            return SimulatedSite(
                name: plan.siteNames[site],
                train: model.examples(images.subset(plan.siteTrain[site].map { position[$0]! })),
                heldOut: model.examples(images.subset(plan.siteHeldOut[site].map { position[$0]! })),
                file: .images(images)
            )
        }
        // Test image k is rendered by scanner k mod sites, so every hospital's scanner is in it.
        var testImages = all.subset(plan.test)
        if !scanners.isEmpty {
            var pixels = testImages.pixels
            let size = testImages.imageByteCount
            for site in scanners.indices {
                let mine = Array(stride(from: site, to: plan.test.count, by: scanners.count))
                let shifted = scanners[site].apply(to: testImages.subset(mine), seed: scenario.seed &+ 808 &+ UInt64(site))
                for (slot, index) in mine.enumerated() {
                    pixels.replaceSubrange((index * size)..<((index + 1) * size), with: shifted.pixels[(slot * size)..<((slot + 1) * size)])
                }
            }
            testImages = testImages.replacingPixels(pixels)
        }
        var setup = Self(model: model, sites: sites, test: model.examples(testImages), probe: probe)
        let tuning = settings.fineTuning
        let mode: String
        switch tuning.mode {
        case .head: mode = "head (frozen backbone)"
        case .lastLayers: mode = "last \(tuning.layers) blocks, head convolution and classifier"
        case .full: mode = "full"
        }
        setup.settings = [
            ("model", "\(pretrained.reference.name) + linear classifier"), ("fine-tuning", mode),
            ("batch norm", tuning.mode == .head ? "frozen (evaluation mode)" : tuning.batchNorm == .federated
                ? "trained blocks' statistics travel and are averaged" : "trained blocks' batch norms stay at each site (FedBN)"),
            ("trainable parameters", "\(model.parameters.trainableScalarCount)"),
            ("input", "\(all.height)×\(all.width) resized to \(settings.inputSize)×\(settings.inputSize)"),
            ("augmentation", settings.augmentation.isIdentity ? "none" : "\(settings.augmentation)"),
        ]
        setup.notes.append(
            "The pretrained baseline is a linear probe: a new classifier trained on the frozen backbone's pooled "
                + "features of all sites' training images pooled, for as many epochs as centralised training."
        )
        if let dataNote { setup.notes.append(dataNote) }
        if tuning.batchNorm == .local, tuning.mode != .head {
            setup.notes.append(
                "FedBN: the trained blocks' batch norms stay at each site. Each site's held-out data is scored "
                    + "with its own; the global model, which has none of them, keeps the pretrained ones."
            )
        }
        if !scanners.isEmpty {
            let described = scanners.enumerated().map { site, scanner in
                "\(plan.siteNames[site]): brightness \(scanner.brightness), contrast \(scanner.contrast), noise \(scanner.noise)"
            }
            setup.notes.append(
                "Each site's images pass through its own simulated scanner (pixel′ = (pixel − 128)·contrast + 128 + "
                    + "255·brightness + noise·z): " + described.joined(separator: "; ")
                    + ". Test image k is rendered by site k mod \(scanners.count)'s scanner."
            )
        }
        return setup
    }

    /// Every labelled image of `url`: an image folder, or all of an .npz's `<split>_images` /
    /// `<split>_labels` pairs pooled (or its `images` / `labels`).
    private static func pool(_ url: URL, classNames: [String]?) throws -> ImageSet {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            return try LabeledImages.read(url, classNames: classNames)
        }
        let arrays = try NumPyArchive.read(contentsOf: url)
        let prefixes =
            arrays["images"] != nil
            ? [""] : arrays.keys.filter { $0.hasSuffix("_images") }.map { String($0.dropLast("images".count)) }.sorted()
        guard !prefixes.isEmpty else {
            throw ImageError.missingArrays(file: url.path, missing: ["images"], available: Array(arrays.keys))
        }
        var maximum = 0
        for prefix in prefixes {
            if let labels = arrays[prefix + "labels"], labels.dtype == .uint8 { maximum = Swift.max(maximum, Int(labels.bytes.max() ?? 0)) }
        }
        let names = classNames ?? (0...Swift.max(maximum, 1)).map(String.init)
        let parts = try prefixes.map {
            try ImageSet(arrays: arrays, images: $0 + "images", labels: $0 + "labels", classNames: names, file: url.path)
        }
        let first = parts[0]
        return ImageSet(
            height: first.height,
            width: first.width,
            channels: first.channels,
            pixels: parts.flatMap(\.pixels),
            labels: parts.flatMap(\.labels),
            classNames: names
        )
    }
}
