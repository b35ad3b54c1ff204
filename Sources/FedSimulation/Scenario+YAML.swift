import FedData
import FedFetch
import FedLearning
import FedRounds
import FedSupport
import FedTensor
import Foundation
import Yams

extension Scenario {
    /// Reads a scenario file; relative paths inside it are relative to the file. Unknown
    /// keys and bad values are errors naming the file and the key.
    package static func load(_ url: URL) throws -> Scenario {
        let file: ScenarioFile
        do throws(YAMLProblem) {
            let document = try YAMLDocument(contentsOf: url)
            try document.check(ScenarioKeys.root)
            file = try document.decode(ScenarioFile.self)
        } catch {
            throw ScenarioError.invalid(path: error.path, detail: error.message)
        }
        return try Scenario(file: file, folder: url.deletingLastPathComponent(), path: url.path)
    }

    private init(file: ScenarioFile, folder: URL, path: String) throws {
        func invalid(_ detail: String) -> ScenarioError { .invalid(path: path, detail: detail) }
        func resolve(_ value: String) -> String {
            value.hasPrefix("/") ? value : folder.appendingPathComponent(value).path
        }
        let data: Data
        switch (file.dataset, file.data) {
        case (.some, .some):
            throw invalid("give either dataset (a fetched dataset) or data, not both")
        case (.some(let name), nil):
            guard (try? DatasetCatalog.standard.entry(named: name)) != nil || name == PneumoniaMNISTSource.name else {
                let known = (DatasetCatalog.standard.entries.map(\.name) + [PneumoniaMNISTSource.name])
                    .joined(separator: ", ")
                throw invalid("dataset '\(name)' is not one fedtune can fetch (known: \(known))")
            }
            data = .dataset(name: name)
        case (nil, .some(let source)):
            if let path = source.npz ?? source.images {
                guard source.npz == nil || source.images == nil else {
                    throw invalid("give data.npz or data.images, not both")
                }
                data = .images(path: resolve(path))
            } else if let csv = source.csv {
                guard let label = source.label else { throw invalid("data.label names the label column of data.csv") }
                data = .csv(path: resolve(csv), label: label)
            } else {
                data = .synthetic(shift: source.shift ?? 1, examples: source.examples ?? 2000)
            }
        case (nil, nil):
            throw invalid("give dataset (a fetched dataset such as digits) or data ({csv, label} or {shift, examples})")
        }
        self.init(
            name: file.name ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
            data: data,
            sites: file.sites ?? 0,
            rounds: file.rounds
        )
        self.description = file.description ?? ""
        self.seed = file.seed ?? 0
        guard file.rounds >= 1 else { throw invalid("rounds must be at least 1") }
        try self.readPartition(file, invalid: invalid)
        try self.readModel(file, resolve: resolve, invalid: invalid)
        try self.readSplits(file, invalid: invalid)
        if let sample = file.sample, sample != "all" {
            if let count = Int(sample), count >= 1 {
                self.sample = .count(count)
            } else if let fraction = Double(sample), fraction > 0, fraction <= 1 {
                self.sample = .fraction(fraction)
            } else {
                throw invalid("sample must be 'all', a count or a fraction, not '\(sample)'")
            }
        }
        self.clipNorm = file.strategy?.clipNorm
        self.serverLearningRate = file.strategy?.serverLearningRate ?? 1
        if let clip = self.clipNorm, !(clip.isFinite && clip > 0) {
            throw invalid("strategy.clip_norm must be a positive number, not \(clip)")
        }
        guard self.serverLearningRate.isFinite, self.serverLearningRate > 0, self.serverLearningRate <= 100 else {
            throw invalid("strategy.server_learning_rate must be a number in (0, 100], not \(self.serverLearningRate)")
        }
        do throws(StrategyError) {
            self.strategy = try (file.strategy ?? StrategySettings()).resolve()
            self.serverLearningRate = Float(self.strategy.optimizer.learningRate)
            self.strategySettings = file.strategy
        } catch {
            throw invalid(error.description)
        }
        guard file.rounds <= 1_000_000 else { throw invalid("rounds must be in 1...1000000") }
        if let privacy = file.privacy {
            if let clip = self.clipNorm, Double(clip) != privacy.clipNorm {
                throw invalid(
                    "strategy.clip_norm (\(clip)) and privacy.clip_norm (\(privacy.clipNorm)) differ: with privacy, "
                        + "set the clip norm under privacy only"
                )
            }
            self.privacy = privacy
            // Checked now with the sites the file names (a data-defined count is checked at run).
            _ = try self.privacyPlan(sites: Swift.max(self.sites, 1))
        }
        if let attack = file.attack {
            do throws(AttackError) {
                self.attack = try Attack.read(attack, sites: self.sites)
            } catch {
                throw invalid(error.description)
            }
            if self.attack?.kind == .labelFlip, self.isText || self.isImage {
                throw invalid("attack.kind label_flip is for tabular scenarios; use kind: scale with a text or image model")
            }
        }
        if let conflict = self.strategy.conflict(
            privacy: self.privacy != nil, secureAggregation: file.secureAggregation != nil,
            clipNorm: self.privacy != nil || self.clipNorm != nil)
        {
            throw invalid(conflict)
        }
        if let early = file.earlyStopping {
            if let problem = early.problems.first { throw invalid(problem) }
            self.earlyStopping = early
        }
        if let secure = file.secureAggregation {
            if self.sites > 0, let problem = secure.problem(sites: self.sites) { throw invalid(problem) }
            self.secureAggregation = secure
        }
        self.local = file.local ?? self.local
        // A simulation knows every site's data, so balanced weights come from the pooled
        // class counts and are the same at every site.
        if self.local.balanceClasses {
            self.local.balanceClasses = false
            self.classWeighting = .balanced
        }
        let expect = file.expect
        self.expectations = Expectations(
            minimumAccuracy: expect?.minAccuracy,
            minimumMacroF1: expect?.minMacroF1,
            beatPretrained: expect?.beatPretrained ?? false,
            beatLocal: expect?.beatLocal ?? false,
            maximumGapToCentralised: expect?.maxGapToCentralised,
            minimumWorstSiteAccuracy: expect?.minWorstSiteAccuracy,
            minimumNewClassRecall: expect?.minNewClassRecall
        )
        try self.readRareClass(file, invalid: invalid)
        if self.expectations.minimumNewClassRecall != nil, self.pretrain?.classes == nil {
            throw invalid("expect.min_new_class_recall needs pretrain.classes (the classes pretraining sees)")
        }
    }

    private mutating func readPartition(_ file: ScenarioFile, invalid: (String) -> ScenarioError) throws {
        switch file.partition ?? "iid" {
        case "iid": self.partition = .iid
        case "dirichlet":
            guard let alpha = file.alpha, alpha > 0 else { throw invalid("partition dirichlet needs a positive alpha") }
            self.partition = .dirichlet(alpha: alpha)
        case "column":
            guard let column = file.column else { throw invalid("partition column needs column: NAME") }
            self.partition = .byColumn(column)
        case "prevalence":
            guard let prevalence = file.prevalence else {
                throw invalid("partition prevalence needs prevalence: {class: NAME, shares: [one share per site]}")
            }
            guard let sites = file.sites, prevalence.shares.count == sites else {
                throw invalid("prevalence.shares must give one share per site (sites: \(file.sites.map(String.init) ?? "missing"))")
            }
            guard prevalence.shares.allSatisfy({ (0...1).contains($0) }) else {
                throw invalid("prevalence.shares must each be in [0, 1]")
            }
            self.partition = .prevalence(positive: prevalence.className, shares: prevalence.shares)
        case "ranges":
            self.partition = try Self.rangesPartition(file, invalid: invalid)
        case let other:
            throw invalid("partition must be iid, dirichlet, column, prevalence or ranges, not '\(other)'")
        }
        // A column partition makes one site per value, so the count may be left out.
        if case .byColumn = self.partition {
            guard self.sites >= 0 else { throw invalid("sites must be at least 1") }
        } else {
            guard let sites = file.sites else { throw invalid("missing field 'sites'") }
            guard (1...100_000).contains(sites) else { throw invalid("sites must be in 1...100000") }
        }
    }

    /// The starting model: a synthetic or data pretraining, a folder, or a cached model,
    /// and for text the fine-tuning mode.
    private mutating func readModel(
        _ file: ScenarioFile,
        resolve: (String) -> String,
        invalid: (String) -> ScenarioError
    ) throws {
        self.textColumn = file.textColumn
        if let model = file.model {
            let local = resolve(model)
            if FileManager.default.fileExists(atPath: local) {
                self.model = local
            } else if (try? ModelCatalog.standard.entry(named: model)) != nil {
                self.model = model
            } else {
                let known = ModelCatalog.standard.entries.map(\.name).joined(separator: ", ")
                throw invalid(
                    "model '\(model)' is neither a folder (no \(local)) nor a model fedtune can fetch (known: \(known))"
                )
            }
        }
        if let pretrain = file.pretrain {
            guard !self.isText else {
                throw invalid("pretrain is for tabular models; a text scenario starts from model")
            }
            guard self.model == nil else { throw invalid("give either pretrain or model, not both") }
            self.pretrain = try Self.pretrain(pretrain, seed: self.seed, data: self.data, invalid: invalid)
        }
        guard self.pretrain != nil || self.model != nil else {
            throw invalid(
                "give either pretrain (how to pretrain the model) or model (a folder or a cached model's name)"
            )
        }
        if case .synthetic = self.data, self.pretrain?.domain == nil {
            throw invalid("synthetic data needs a pretrain domain (pretrain.features and pretrain.classes) to shift")
        }
        self.freeze = file.freeze ?? []
        if let image = file.image {
            try self.readImage(image, file, invalid: invalid)
        } else if case .images = self.data {
            throw invalid("image data needs an image section (image: {size: 64}) and model (a CNN)")
        } else if self.isText {
            guard self.freeze.isEmpty else {
                throw invalid("freeze is for tabular models; a text model freezes by fine_tuning.mode")
            }
            if let given = file.fineTuning {
                guard let text = given.text else {
                    throw invalid("fine_tuning.mode for a text model must be head, last-n, lora or full")
                }
                self.fineTuning = text
            }
            self.dropout = file.dropout ?? self.dropout
            guard (0..<1).contains(self.dropout) else { throw invalid("dropout must be in [0, 1)") }
            if let length = file.maxLength {
                guard length >= 2 else { throw invalid("max_length must be at least 2 ([CLS] and [SEP])") }
                self.maxLength = length
            }
        } else {
            for (key, given) in [
                ("fine_tuning", file.fineTuning != nil), ("dropout", file.dropout != nil),
                ("max_length", file.maxLength != nil),
            ]
            where given {
                throw invalid("\(key) is for text and image models; set text_column or image to fine-tune one")
            }
        }
    }

    private static func pretrain(
        _ pretrain: ScenarioFile.Pretrain,
        seed: UInt64,
        data: Data,
        invalid: (String) -> ScenarioError
    ) throws -> Pretrain {
        var settings = Pretrain()
        if let features = pretrain.features {
            guard case .count(let classes) = pretrain.classes, features >= 1, classes >= 2 else {
                throw invalid(
                    "a synthetic pretrain domain needs features ≥ 1 and a class count ≥ 2 in pretrain.classes"
                )
            }
            settings.domain = SyntheticDomain(
                features: features,
                classes: classes,
                noise: pretrain.noise ?? 1,
                worldSeed: pretrain.worldSeed ?? seed &+ 7
            )
        } else {
            if case .synthetic = data {
                throw invalid("pretrain.features is needed to pretrain on a synthetic domain")
            }
            switch pretrain.classes {
            case .count: throw invalid("pretrain.classes on real data lists class names, e.g. [0, 1, 2, 3, 4]")
            case .names(let names):
                guard !names.isEmpty else { throw invalid("pretrain.classes must name at least one class") }
                settings.classes = names
            case nil: break
            }
            settings.examples = 200
        }
        settings.examples = pretrain.examples ?? settings.examples
        guard settings.examples >= 1 else { throw invalid("pretrain.examples must be at least 1") }
        settings.architecture = pretrain.arch ?? settings.architecture
        guard ModelArchitecture.hiddenWidths(parsing: settings.architecture) != nil else {
            throw invalid("pretrain.arch must be logistic or mlp:W1,W2,…, not '\(settings.architecture)'")
        }
        settings.training = pretrain.training ?? settings.training
        settings.training.seed = seed
        return settings
    }

    /// The global test set, each site's held-out share and the cap on a site's examples.
    private mutating func readSplits(_ file: ScenarioFile, invalid: (String) -> ScenarioError) throws {
        self.testFraction = file.testFraction ?? self.testFraction
        guard self.testFraction > 0, self.testFraction < 1 else { throw invalid("test_fraction must be in (0, 1)") }
        if let count = file.testExamples {
            guard count >= 1 else { throw invalid("test_examples must be at least 1") }
            self.testExamples = count
        }
        self.siteTestFraction = file.siteTestFraction ?? self.siteTestFraction
        guard self.siteTestFraction >= 0, self.siteTestFraction < 1 else {
            throw invalid("site_test_fraction must be in [0, 1)")
        }
        if let cap = file.maxExamplesPerSite {
            guard cap >= 2 else { throw invalid("max_examples_per_site must be at least 2") }
            self.maxExamplesPerSite = cap
        }
    }

    package init(name: String, data: Data, sites: Int, rounds: Int) {
        self.name = name
        self.data = data
        self.sites = sites
        self.rounds = rounds
    }
}

extension Scenario {
    /// The DP-FedAvg plan for `sites` sites, or nil without `privacy`.
    package func privacyPlan(sites: Int) throws -> DifferentialPrivacy? {
        guard let privacy = self.privacy else { return nil }
        do throws(PrivacySettingsError) {
            return try DifferentialPrivacy.resolve(privacy, rounds: self.rounds, population: sites, sample: self.sample)
        } catch {
            throw ScenarioError.invalid(path: self.name, detail: error.description)
        }
    }
}
