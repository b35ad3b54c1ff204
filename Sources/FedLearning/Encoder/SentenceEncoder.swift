import FedTensor
import FedText
import Foundation

/// Sentence embeddings as sentence-transformers computes them: BERT, mean pooling over
/// real tokens, L2 normalisation. Texts are batched by length so padding costs little;
/// padding never changes a sentence's embedding.
package final class SentenceEncoder {
    package let tokenizer: BertTokenizer
    package let encoder: BertEncoder
    package let parameters: ParameterStore
    private let pooling = MeanPooling()

    package init(_ pretrained: PretrainedBert) throws {
        var parameters = ParameterStore()
        var generator = SeededGenerator(seed: 0)
        self.encoder = BertEncoder(
            configuration: pretrained.configuration,
            parameters: &parameters,
            generator: &generator
        )
        try parameters.load(pretrained.tensors, requireAll: true, source: pretrained.folder.path)
        self.parameters = parameters
        self.tokenizer = pretrained.tokenizer
    }

    /// Pooled vectors [texts, hidden] for a batch already tokenised; normalised when asked.
    package func embed(_ batch: TokenBatch, normalize: Bool = true) -> Tensor {
        let hidden = self.encoder.forward(batch, parameters: self.parameters, training: false)
        self.pooling.forward(hidden, batch: batch)
        var pooled = self.pooling.output
        if normalize { MeanPooling.normalizeRows(&pooled) }
        return pooled
    }

    /// One embedding per text, in input order, computed `batchSize` texts at a time with
    /// texts of similar length batched together.
    package func embed(_ texts: [String], batchSize: Int = 32, normalize: Bool = true) -> [[Float]] {
        let encoded = texts.map { self.tokenizer.encode($0) }
        let order = encoded.indices.sorted { encoded[$0].count < encoded[$1].count }
        var result = [[Float]](repeating: [], count: texts.count)
        var start = 0
        while start < order.count {
            let slice = order[start..<Swift.min(start + batchSize, order.count)]
            let batch = TokenBatch(padding: slice.map { encoded[$0] })
            let pooled = self.embed(batch, normalize: normalize)
            let h = pooled.columns
            for (row, index) in slice.enumerated() {
                result[index] = Array(pooled.scalars[(row * h)..<((row + 1) * h)])
            }
            start += batchSize
        }
        return result
    }
}
