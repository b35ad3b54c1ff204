import FedTensor
import FedText
import Foundation
import OrderedCollections

/// A Hugging Face-style BERT folder (config.json, vocab.txt, model.safetensors, and
/// optionally sentence-transformers' sentence_bert_config.json) read and checked.
///
/// Checkpoint names may carry BertForX's `bert.` prefix; the pooler, MLM head, classifier
/// and the integer `position_ids` buffer are not part of the encoder and are left out.
package struct PretrainedBert: Sendable {
    package var folder: URL
    package var configuration: BertConfiguration
    package var vocabulary: WordPieceVocabulary
    /// Longest input in ids, [CLS] and [SEP] included.
    package var maxLength: Int
    package var lowercase: Bool
    /// The encoder's tensors by BertModel name, in checkpoint order.
    package var tensors: OrderedDictionary<String, Tensor>
    /// SHA-256 of model.safetensors: names this base in the models built on it.
    package var sha256: String

    /// How a classifier built on this encoder names it.
    package var reference: BaseModelReference {
        BaseModelReference(
            name: self.folder.standardizedFileURL.lastPathComponent,
            sha256: self.sha256,
            path: self.folder.standardizedFileURL.path
        )
    }

    package static let configFile = "config.json"
    package static let vocabularyFile = "vocab.txt"
    package static let weightsFile = "model.safetensors"

    package var tokenizer: BertTokenizer {
        BertTokenizer(vocabulary: self.vocabulary, maxLength: self.maxLength, lowercase: self.lowercase)
    }

    /// Reads the folder; every problem names the file and, where there is one, the field or
    /// tensor. `sha256`, when the caller has just hashed model.safetensors, saves hashing it again.
    package static func load(_ folder: URL, sha256 known: String? = nil) throws -> PretrainedBert {
        let configURL = folder.appendingPathComponent(self.configFile)
        let configuration = try BertConfiguration.read(configURL)
        let vocabularyURL = folder.appendingPathComponent(self.vocabularyFile)
        guard FileManager.default.fileExists(atPath: vocabularyURL.path) else {
            throw ModelError.missingFile(
                path: vocabularyURL.path,
                hint: "a BERT folder holds config.json, vocab.txt and model.safetensors"
            )
        }
        let vocabulary = try WordPieceVocabulary(contentsOf: vocabularyURL)
        if vocabulary.count != configuration.vocabularySize {
            throw ModelError.invalidArchitecture(
                path: configURL.path,
                detail:
                    "field 'vocab_size' is \(configuration.vocabularySize) but \(vocabularyURL.lastPathComponent) has \(vocabulary.count) tokens"
            )
        }
        let weightsURL = folder.appendingPathComponent(self.weightsFile)
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw ModelError.missingFile(
                path: weightsURL.path,
                hint: "a BERT folder holds config.json, vocab.txt and model.safetensors"
            )
        }
        let file = try Safetensors.read(
            contentsOf: weightsURL,
            skipping: ["embeddings.position_ids", "bert.embeddings.position_ids"]
        )
        let sha256 = try known ?? BaseModelLocator.sha256(ofFile: weightsURL)
        var tensors: OrderedDictionary<String, Tensor> = [:]
        var mismatch = TensorMismatch(source: "\(weightsURL.path) (checked against \(self.configFile))")
        let expected = Dictionary(uniqueKeysWithValues: configuration.tensorShapes.map { ($0.name, $0.shape) })
        for (stored, tensor) in file.tensors {
            let name = stored.hasPrefix("bert.") ? String(stored.dropFirst(5)) : stored
            if ["pooler.", "cls.", "classifier."].contains(where: { name.hasPrefix($0) }) { continue }
            guard let shape = expected[name] else {
                mismatch.unexpected.append(stored)
                continue
            }
            if shape != tensor.shape {
                mismatch.misshapen.append(.init(name: stored, expected: shape, found: tensor.shape))
            }
            tensors[name] = tensor
        }
        mismatch.missing = configuration.tensorShapes.map(\.name).filter { tensors[$0] == nil }
        if !mismatch.isEmpty { throw ModelError.tensorsDisagree(mismatch) }
        // Keep checkpoint order as the architecture defines it, whatever the file's order.
        var ordered: OrderedDictionary<String, Tensor> = [:]
        for (name, _) in configuration.tensorShapes { ordered[name] = tensors[name] }
        return PretrainedBert(
            folder: folder,
            configuration: configuration,
            vocabulary: vocabulary,
            maxLength: try self.maxLength(folder, configuration),
            lowercase: try self.lowercase(folder),
            tensors: ordered,
            sha256: sha256
        )
    }

    /// sentence-transformers' `max_seq_length` when present (MiniLM: 256, though its
    /// tokenizer.json says 128), else the position table's size.
    private static func maxLength(_ folder: URL, _ configuration: BertConfiguration) throws -> Int {
        let url = folder.appendingPathComponent("sentence_bert_config.json")
        if let object = try self.jsonObject(url), let length = object["max_seq_length"] as? Int {
            guard length >= 2 && length <= configuration.maxPositions else {
                throw ModelError.invalidArchitecture(
                    path: url.path,
                    detail: "field 'max_seq_length' must be in 2...\(configuration.maxPositions), found \(length)"
                )
            }
            return length
        }
        return configuration.maxPositions
    }

    /// tokenizer_config.json's `do_lower_case`; uncased (true) when absent, as BertTokenizer defaults.
    private static func lowercase(_ folder: URL) throws -> Bool {
        let url = folder.appendingPathComponent("tokenizer_config.json")
        return try self.jsonObject(url)?["do_lower_case"] as? Bool ?? true
    }

    private static func jsonObject(_ url: URL) throws -> [String: Any]? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelError.invalidArchitecture(path: url.path, detail: "not a JSON object")
        }
        return object
    }
}
