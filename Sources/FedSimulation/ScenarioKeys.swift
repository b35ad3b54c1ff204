import Yams

/// Every key a scenario file may hold, nested as in the file. Decoding alone ignores a key
/// it does not know, so a misspelt `learning_rate` or `max_exmaples_per_site` would run a
/// different scenario than the one written; checking the keys first makes it an error
/// naming the line and the key.
enum ScenarioKeys {
    /// What may stand under a key: any value, or a mapping with exactly these keys.
    indirect enum Shape {
        case value
        case mapping([String: Shape])
    }

    static let optimizer: Shape = .mapping(
        Dictionary(
            uniqueKeysWithValues: ["kind", "momentum", "weightDecay", "beta1", "beta2", "epsilon"].map { ($0, .value) })
    )

    /// `TrainingConfiguration`'s keys, as `local` and `pretrain.training` spell them.
    static let trainingKeys: [String: Shape] = {
        var keys = Dictionary(
            uniqueKeysWithValues: [
                "epochs", "batchSize", "learningRate", "schedule", "warmupFraction", "gradientClipNorm", "patience",
                "classWeights", "labelSmoothing", "seed",
            ].map { ($0, Shape.value) })
        keys["optimizer"] = Self.optimizer
        return keys
    }()

    static let root: Shape = {
        let value = Shape.value
        var local = Self.trainingKeys
        local["class_weights"] = value
        let lora: Shape = .mapping(["rank": value, "alpha": value, "dropout": value, "targets": value])
        return .mapping([
            "name": value, "description": value, "seed": value, "model": value, "freeze": value, "dataset": value,
            "text_column": value, "dropout": value, "max_length": value, "test_fraction": value,
            "test_examples": value, "site_test_fraction": value, "max_examples_per_site": value, "sites": value,
            "partition": value, "alpha": value, "column": value, "rounds": value, "sample": value,
            "pretrain": .mapping([
                "features": value, "classes": value, "noise": value, "world_seed": value, "examples": value,
                "arch": value, "training": .mapping(Self.trainingKeys),
            ]),
            "data": .mapping(["shift": value, "examples": value, "csv": value, "label": value]),
            "fine_tuning": .mapping(["mode": value, "layers": value, "lora": lora]),
            "strategy": .mapping(["clip_norm": value, "server_learning_rate": value]),
            "local": .mapping(local),
            "expect": .mapping([
                "min_accuracy": value, "min_macro_f1": value, "beat_pretrained": value, "beat_local": value,
                "max_gap_to_centralised": value, "min_worst_site_accuracy": value, "min_new_class_recall": value,
            ]),
        ])
    }()

    /// Problems with the keys of `yaml`, each "line N: unknown key 'a.b' (known: …)";
    /// empty when every key is known. YAML that does not parse is left to the decoder.
    static func problems(in yaml: String) -> [String] {
        guard let node = try? Yams.compose(yaml: yaml) else { return [] }
        var problems: [String] = []
        self.check(node, against: self.root, path: [], problems: &problems)
        return problems
    }

    private static func check(_ node: Node, against shape: Shape, path: [String], problems: inout [String]) {
        guard case .mapping(let known) = shape, case .mapping(let mapping) = node else { return }
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? "\(keyNode)"
            let dotted = (path + [key]).joined(separator: ".")
            guard let inner = known[key] else {
                let line = keyNode.mark.map { "line \($0.line): " } ?? ""
                let scope = path.isEmpty ? "" : " under '\(path.joined(separator: "."))'"
                problems.append(
                    "\(line)unknown key '\(dotted)' (known\(scope): \(known.keys.sorted().joined(separator: ", ")))")
                continue
            }
            self.check(value, against: inner, path: path + [key], problems: &problems)
        }
    }
}
