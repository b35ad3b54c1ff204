import FedTensor
import OrderedCollections

extension TextClassifier {
    /// The same function without adapters: each adapted weight becomes W + (α/r)·B·A.
    /// The result is the inference and export form; its mode is `head` (the merged encoder is
    /// frozen) and it names no base, since its encoder is no longer the base's.
    package func merged() throws -> TextClassifier {
        var architecture = self.architecture
        architecture.fineTuning.mode = .head
        architecture.base = nil
        let model = TextClassifier(architecture: architecture, vocabulary: self.vocabulary, seed: 0)
        var tensors: OrderedDictionary<String, Tensor> = [:]
        for entry in self.parameters.entries where !entry.name.contains(".lora_") {
            tensors[entry.name] = entry.value
        }
        for projection in self.encoder.adaptedProjections {
            tensors[self.parameters[projection.base.weight].name] = projection.mergedWeight(self.parameters)
        }
        try model.load(tensors, requireAll: true, source: "merged adapters")
        return model
    }
}
