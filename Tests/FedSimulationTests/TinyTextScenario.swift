import FedLearning
import FedTensor
import Foundation
import OrderedCollections

/// A small text scenario written by a test: a random two-layer BERT folder (config.json,
/// vocab.txt, model.safetensors) and template sentences about three subjects held by three
/// sites (a `topic` column) with different label mixes. It runs in seconds, through the
/// same pipeline as the MiniLM scenarios.
enum TinyTextScenario {
    static let classes = ["food", "sport", "weather"]
    static let subjects: [[String]] = [
        ["pasta", "soup", "bread", "curry", "salad", "cake", "noodles", "cheese"],
        ["football", "tennis", "cricket", "rugby", "golf", "hockey", "cycling", "swimming"],
        ["rain", "snow", "wind", "fog", "storm", "sunshine", "frost", "thunder"],
    ]
    /// Short templates that repeat the subject, so a random encoder's mean-pooled embedding
    /// still carries it (a real encoder would not need the help).
    static let templates = ["the %@ and the %@ .", "%@ again and %@ .", "more %@ %@ today .", "so much %@ %@ ."]
    /// Each site's share of each class, so the sites' label mixes differ.
    static let mixes: [(site: String, weights: [Int])] = [
        ("north", [6, 2, 1]), ("south", [1, 6, 2]), ("west", [2, 1, 6]),
    ]

    /// Writes the model folder, the data and the scenario file into `folder`; returns the
    /// scenario file. `lora` adds keys to the `lora` settings; `extra`, lines to the file.
    static func write(
        in folder: URL, mode: String, rounds: Int = 3, lora: String = "", extra: String = ""
    ) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var rows: [[String]] = []
        var counter = 0
        for (site, weights) in self.mixes {
            for (label, weight) in weights.enumerated() {
                for _ in 0..<(weight * 5) {
                    let word = self.subjects[label][(counter * 5) % self.subjects[label].count]
                    let text = self.templates[(counter * 7) % self.templates.count].replacingOccurrences(
                        of: "%@",
                        with: word
                    )
                    rows.append([text, self.classes[label], site])
                    counter += 1
                }
            }
        }
        let csv = rows.map { $0.joined(separator: ",") }.joined(separator: "\n")
        try ("text,label,topic\n" + csv + "\n").write(
            to: folder.appendingPathComponent("texts.csv"),
            atomically: true,
            encoding: .utf8
        )
        try self.writeBert(
            to: folder.appendingPathComponent("tiny-bert"),
            words: Set(rows.flatMap { $0[0].split(separator: " ").map(String.init) })
        )
        let scenario = """
            name: tiny-text-\(mode)
            seed: 1
            data: {csv: texts.csv, label: label}
            text_column: text
            model: tiny-bert
            fine_tuning: {mode: \(mode), lora: {rank: 4, alpha: 8, dropout: 0, targets: [query, value]\(lora)}}
            dropout: 0
            partition: column
            column: topic
            test_fraction: 0.25
            site_test_fraction: 0.2
            rounds: \(rounds)
            local: {epochs: 3, batch_size: 8, learning_rate: 0.02}
            expect: {min_accuracy: 0.5}
            \(extra)

            """
        let url = folder.appendingPathComponent("tiny-text.yaml")
        try scenario.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A random BERT: normal weights, LayerNorm at identity, a vocabulary of `words`.
    static func writeBert(to folder: URL, words: Set<String>) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "."] + words.filter { $0 != "." }.sorted()
        let configuration = BertConfiguration(
            vocabularySize: tokens.count,
            hiddenSize: 32,
            layerCount: 2,
            headCount: 2,
            intermediateSize: 64,
            maxPositions: 32
        )
        var tensors: OrderedDictionary<String, Tensor> = [:]
        var generator = SeededGenerator(seed: 17)
        for (name, shape) in configuration.tensorShapes {
            if name.contains("LayerNorm.weight") {
                tensors[name] = Tensor(shape: shape, repeating: 1)
            } else if name.hasSuffix(".bias") {
                tensors[name] = Tensor(shape: shape)
            } else {
                // Word embeddings dominate positions, so the words decide the pooled embedding.
                let std: Float = name.contains("word_embeddings") ? 1 : name.contains("embeddings") ? 0.02 : 0.1
                tensors[name] = .normal(shape: shape, std: std, using: &generator)
            }
        }
        try Safetensors(tensors: tensors).write(to: folder.appendingPathComponent("model.safetensors"))
        try (tokens.joined(separator: "\n") + "\n").write(
            to: folder.appendingPathComponent("vocab.txt"),
            atomically: true,
            encoding: .utf8
        )
        let config: [String: Any] = [
            "model_type": "bert", "vocab_size": tokens.count, "hidden_size": 32, "num_hidden_layers": 2,
            "num_attention_heads": 2, "intermediate_size": 64, "max_position_embeddings": 32, "type_vocab_size": 2,
            "layer_norm_eps": 1e-12, "hidden_act": "gelu",
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("config.json"))
    }
}
