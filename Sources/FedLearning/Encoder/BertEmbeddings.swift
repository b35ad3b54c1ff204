import FedTensor
import FedText

/// BERT's input layer: word + position + token-type embeddings, then LayerNorm.
///
/// Every token gets token type 0 (single-sentence inputs), whose row is still added: leaving
/// it out changes MiniLM's embeddings by up to 0.79.
final class BertEmbeddings {
    let word: Int
    let position: Int
    let tokenType: Int
    let norm: LayerNorm
    let width: Int
    private var sum = Tensor(shape: [0])

    var output: Tensor { self.norm.output }

    init(_ configuration: BertConfiguration, parameters: inout ParameterStore, generator: inout SeededGenerator) {
        let h = configuration.hiddenSize
        self.width = h
        self.word = parameters.add(
            "embeddings.word_embeddings.weight",
            .normal(shape: [configuration.vocabularySize, h], std: 0.02, using: &generator)
        )
        self.position = parameters.add(
            "embeddings.position_embeddings.weight",
            .normal(shape: [configuration.maxPositions, h], std: 0.02, using: &generator)
        )
        self.tokenType = parameters.add(
            "embeddings.token_type_embeddings.weight",
            .normal(shape: [configuration.typeVocabularySize, h], std: 0.02, using: &generator)
        )
        self.norm = LayerNorm(
            "embeddings.LayerNorm",
            width: h,
            epsilon: configuration.layerNormEpsilon,
            parameters: &parameters
        )
    }

    /// Embeds a batch into [B·L, hidden]; ids must be inside the vocabulary and L within the positions.
    func forward(_ batch: TokenBatch, parameters: ParameterStore) {
        let (h, l) = (self.width, batch.length)
        let vocabulary = parameters[self.word].value.rows
        precondition(l <= parameters[self.position].value.rows, "sequence length \(l) exceeds the position table")
        self.sum.resize(rows: batch.batchSize * l, columns: h)
        batch.ids.withUnsafeBufferPointer { ids in
            parameters[self.word].value.scalars.withUnsafeBufferPointer { w in
                parameters[self.position].value.scalars.withUnsafeBufferPointer { p in
                    parameters[self.tokenType].value.scalars.withUnsafeBufferPointer { t in
                        self.sum.scalars.withUnsafeMutableBufferPointer { s in
                            for token in 0..<ids.count {
                                let id = Int(ids[token])
                                precondition(
                                    id >= 0 && id < vocabulary,
                                    "token id \(id) outside the vocabulary of \(vocabulary)"
                                )
                                let (row, pos, out) = (id * h, (token % l) * h, token * h)
                                for i in 0..<h { s[out + i] = w[row + i] + p[pos + i] + t[i] }
                            }
                        }
                    }
                }
            }
        }
        self.norm.forward(self.sum, parameters: parameters, training: false)
    }

    /// Accumulates the gradients of whichever embedding tensors are trainable.
    func backward(_ batch: TokenBatch, outputGradient: Tensor, parameters: inout ParameterStore) {
        let tables = [self.word, self.position, self.tokenType].filter { parameters[$0].trainable }
        self.norm.backward(
            self.sum,
            outputGradient: outputGradient,
            parameters: &parameters,
            needsInputGradient: !tables.isEmpty
        )
        guard !tables.isEmpty else { return }
        let (h, l) = (self.width, batch.length)
        let gradient = self.norm.inputGradient
        for table in tables {
            gradient.scalars.withUnsafeBufferPointer { ds in
                batch.ids.withUnsafeBufferPointer { ids in
                    parameters[table].grad.scalars.withUnsafeMutableBufferPointer { dw in
                        for token in 0..<ids.count {
                            let row: Int
                            switch table {
                            case self.word: row = Int(ids[token]) * h
                            case self.position: row = (token % l) * h
                            default: row = 0
                            }
                            for i in 0..<h { dw[row + i] += ds[token * h + i] }
                        }
                    }
                }
            }
        }
    }
}
