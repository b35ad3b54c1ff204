import FedLearning
import FedReport
import FedRounds
import FedSupport
import Foundation

extension Scenario {
    /// The resolved scenario as summary.json's machine-readable `configuration`: data and
    /// sites, model and fine-tuning, strategy, privacy and secure aggregation, and the local
    /// training each site ran (`training`, with class weights resolved), in the key names
    /// of the scenario file and the wire (snake_case) where those exist.
    func configuration(training: TrainingConfiguration, classNames: [String]) -> JSONValue {
        var model: [String: JSONValue] = [
            "kind": .string(self.isImage ? "image" : self.isText ? "text" : "tabular"),
            "classes": .array(classNames.map(JSONValue.string)),
        ]
        if let name = self.model { model["name"] = .string(name) }
        if !self.freeze.isEmpty { model["freeze"] = .array(self.freeze.map(JSONValue.string)) }
        if let pretrain = self.pretrain { model["pretrain_architecture"] = .string(pretrain.architecture) }
        if let length = self.maxLength { model["max_length"] = .number(Double(length)) }
        var fineTuning: JSONValue = .null
        if let image = self.image {
            fineTuning = .encoding(image.fineTuning)
            model["input_size"] = .number(Double(image.inputSize))
        } else if self.isText {
            fineTuning = .encoding(self.fineTuning)
        }
        var strategy: [String: JSONValue] = [
            "optimizer": .encoding(self.strategy.optimizer),
            "compression": .string(self.strategy.compression.name),
            "aggregation": .string(self.strategy.robust?.settingName ?? "mean"),
            "server_learning_rate": .number(Self.decimal(self.serverLearningRate)),
        ]
        if let clip = self.clipNorm { strategy["clip_norm"] = .number(Self.decimal(clip)) }
        var privacy: JSONValue = .null
        if let settings = self.privacy {
            var members: [String: JSONValue] = ["clip_norm": .number(settings.clipNorm)]
            if let z = settings.noiseMultiplier { members["noise_multiplier"] = .number(z) }
            if let epsilon = settings.targetEpsilon { members["target_epsilon"] = .number(epsilon) }
            if let delta = settings.delta { members["delta"] = .number(delta) }
            if let sampling = settings.sampling { members["sampling"] = .string(sampling) }
            if let rate = settings.sampleRate { members["sample_rate"] = .number(rate) }
            members["adaptive_clipping"] = .bool(settings.adaptiveClipping != nil)
            privacy = .object(members)
        }
        return .object([
            "scenario": .string(self.name),
            "seed": .number(Double(self.seed)),
            "sites": .number(Double(self.sites)),
            "partition": .encoding(self.partition),
            "rounds": .number(Double(self.rounds)),
            "sample": .encoding(self.sample),
            "test_fraction": .number(self.testFraction),
            "site_test_fraction": .number(self.siteTestFraction),
            "max_examples_per_site": self.maxExamplesPerSite.map { .number(Double($0)) } ?? .null,
            "model": .object(model),
            "fine_tuning": fineTuning,
            "strategy": .object(strategy),
            "privacy": privacy,
            "secure_aggregation": self.secureAggregation.map { .encoding($0) } ?? .null,
            "early_stopping": self.earlyStopping.map { .encoding($0) } ?? .null,
            "local": .encoding(training),
            "class_weighting": .string(self.classWeighting.rawValue),
        ])
    }
}

extension Scenario {
    /// A Float as the decimal the file wrote (0.1, not 0.10000000149011612).
    static func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }
}

extension JSONValue {
    /// `value` as its JSON encoding reads back; null when it does not encode.
    static func encoding(_ value: some Encodable) -> JSONValue {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        guard let data = try? encoder.encode(value),
            let decoded = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return .null }
        return decoded
    }
}
