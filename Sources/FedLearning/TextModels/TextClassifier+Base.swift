import FedTensor
import FedText
import Foundation
import OrderedCollections

extension TextClassifier {
    /// The tensors a model folder or checkpoint keeps of `tensors` (all of this model's):
    /// only the trained ones when the frozen rest is the named base's, else all.
    package func stored(_ tensors: OrderedDictionary<String, Tensor>) -> OrderedDictionary<String, Tensor> {
        guard self.architecture.storesTrainedOnly else { return tensors }
        let trained = Set(self.parameters.entries.filter(\.trainable).map(\.name))
        return tensors.filter { trained.contains($0.key) }
    }

    /// A classifier rebuilt from what a folder or blob stored: when tensors are missing and
    /// the architecture names a base, the base's tensors (and, without `vocabulary`, its
    /// vocabulary) fill them in; then every tensor must be there.
    package static func rebuild(
        architecture: TextClassifierArchitecture,
        vocabulary: WordPieceVocabulary?,
        tensors: OrderedDictionary<String, Tensor>,
        source: String,
        bases: BaseModelLocator
    ) throws -> TextClassifier {
        var vocabulary = vocabulary
        var all = tensors
        if let base = architecture.base, vocabulary == nil || !Self.holdsEncoder(tensors, architecture) {
            let pretrained = try bases.pretrained(base, for: source)
            vocabulary = vocabulary ?? pretrained.vocabulary
            if !Self.holdsEncoder(tensors, architecture) {
                all = pretrained.tensors
                for (name, tensor) in tensors { all[name] = tensor }
            }
        }
        guard let vocabulary else {
            throw ModelError.invalidArchitecture(
                path: source,
                detail: "no vocabulary, and no base model to take it from"
            )
        }
        // The tensors at hand must hold at least the encoder and head the description asks
        // for, before a model of that size is allocated.
        var needed = architecture.encoder.budget
        needed.add(architecture.encoder.hiddenSize, architecture.classes)
        try TensorBudget.check(needed, against: all.values, source: source)
        let model = TextClassifier(architecture: architecture, vocabulary: vocabulary, seed: 0)
        try model.load(all, requireAll: true, source: source)
        return model
    }

    /// Whether `tensors` hold the encoder's own weights (a whole model), not just what was trained.
    private static func holdsEncoder(
        _ tensors: OrderedDictionary<String, Tensor>,
        _ architecture: TextClassifierArchitecture
    ) -> Bool {
        architecture.encoder.tensorShapes.allSatisfy { tensors[$0.name] != nil }
    }
}
