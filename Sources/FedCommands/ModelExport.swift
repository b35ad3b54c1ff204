import FedLearning
import FedSupport
import FedTensor
import FedText
import Foundation
import OrderedCollections

/// `fedtune export`: a fine-tuned text classifier as a Hugging Face-style folder that
/// transformers and safetensors load: the encoder as a BertModel (`model.safetensors`,
/// `config.json`, `vocab.txt`, `tokenizer_config.json`) with LoRA merged into its
/// weights, sentence-transformers' mean pooling (`1_Pooling/config.json`, `modules.json`),
/// and the head in `classifier.safetensors` (`weight` [classes, hidden], `bias` [classes]).
///
/// The head sits in its own file because BertForSequenceClassification classifies from
/// the [CLS] pooler, not from the mean-pooled embedding this model was trained on.
package enum ModelExport {
    /// Why a folder cannot be exported.
    package enum Refusal: Error, Equatable, CustomStringConvertible {
        case tabularModel(path: String)
        case outputExists(path: String)
        case notLoRA(path: String, mode: String)
        case exactResidual(path: String)

        package var description: String {
            switch self {
            case .tabularModel(let path):
                "\(path) is a tabular model; export writes text models as Hugging Face folders. A tabular "
                    + "model folder is already what evaluate and predict read (model.json, model.safetensors)"
            case .notLoRA(let path, let mode):
                "\(path) was fine-tuned in \(mode) mode; --peft writes LoRA adapters, so it needs a model trained "
                    + "with --mode lora (export without --peft writes any text model)"
            case .exactResidual(let path):
                "\(path) was federated with exact LoRA aggregation (lora.exact), so besides its adapters it "
                    + "carries residual weights a PEFT adapter cannot hold; export without --peft (the residual "
                    + "and adapters are merged into the weights)"
            case .outputExists(let path): "\(path) already exists ---> HINT: choose another --out, or remove it first"
            }
        }
    }

    /// Exports the model folder at `folder`, refusing a tabular model and an existing output.
    package static func export(folder: URL, to output: URL, bases: BaseModelLocator = .standard) throws {
        guard !FileManager.default.fileExists(atPath: output.path) else {
            throw Refusal.outputExists(path: output.path)
        }
        guard case .text(let model) = try AnyClassifier.load(folder, bases: bases) else {
            throw Refusal.tabularModel(path: folder.path)
        }
        try self.export(model, to: output)
    }

    package static func export(_ model: TextClassifier, to folder: URL) throws {
        let merged = try model.merged()
        let fileManager = FileManager.default
        try fileManager.createDirectory(
            at: folder.appendingPathComponent("1_Pooling"),
            withIntermediateDirectories: true
        )
        var encoder: OrderedDictionary<String, Tensor> = [:]
        var head: OrderedDictionary<String, Tensor> = [:]
        for entry in merged.parameters.entries {
            if entry.name.hasPrefix(TextClassifier.headPrefix) {
                head[String(entry.name.dropFirst(TextClassifier.headPrefix.count))] = entry.value
            } else {
                encoder[entry.name] = entry.value
            }
        }
        try Safetensors(tensors: encoder, metadata: ["format": "pt", "producer": "fedtune"])
            .write(to: folder.appendingPathComponent("model.safetensors"))
        try Safetensors(tensors: head, metadata: ["format": "pt", "producer": "fedtune"])
            .write(to: folder.appendingPathComponent("classifier.safetensors"))
        try AtomicFile.write(
            Data((merged.vocabulary.tokens.joined(separator: "\n") + "\n").utf8),
            to: folder.appendingPathComponent("vocab.txt")
        )
        let architecture = merged.architecture
        let c = architecture.encoder
        let labels = Dictionary(
            uniqueKeysWithValues: architecture.classNames.enumerated().map { ("\($0.offset)", $0.element) }
        )
        let files: [(String, Any)] = [
            (
                "config.json",
                [
                    "architectures": ["BertModel"], "model_type": "bert", "vocab_size": c.vocabularySize,
                    "hidden_size": c.hiddenSize, "num_hidden_layers": c.layerCount, "num_attention_heads": c.headCount,
                    "intermediate_size": c.intermediateSize, "max_position_embeddings": c.maxPositions,
                    "type_vocab_size": c.typeVocabularySize, "layer_norm_eps": Double(c.layerNormEpsilon),
                    "hidden_act": "gelu",
                    "position_embedding_type": "absolute", "pad_token_id": 0, "hidden_dropout_prob": 0.1,
                    "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
                    "id2label": labels, "label2id": Dictionary(uniqueKeysWithValues: labels.map { ($1, Int($0)!) }),
                ] as [String: Any]
            ),
            (
                "tokenizer_config.json",
                [
                    "tokenizer_class": "BertTokenizer", "do_lower_case": architecture.lowercase,
                    "model_max_length": architecture.maxLength, "unk_token": "[UNK]", "sep_token": "[SEP]",
                    "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]",
                ] as [String: Any]
            ),
            (
                "sentence_bert_config.json",
                ["max_seq_length": architecture.maxLength, "do_lower_case": false] as [String: Any]
            ),
            (
                "1_Pooling/config.json",
                [
                    "word_embedding_dimension": c.hiddenSize, "pooling_mode_mean_tokens": true,
                    "pooling_mode_cls_token": false, "pooling_mode_max_tokens": false,
                ] as [String: Any]
            ),
            (
                "modules.json",
                [
                    ["idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"],
                    ["idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"],
                ] as [[String: Any]]
            ),
        ]
        for (name, object) in files {
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            try AtomicFile.write(data, to: folder.appendingPathComponent(name))
        }
    }
}
