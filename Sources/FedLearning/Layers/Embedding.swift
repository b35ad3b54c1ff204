import FedTensor

/// A lookup table: row `id` of W[vocabulary, width] for each input id. Its input is
/// integer ids rather than a tensor, so it stands outside the `Layer` protocol.
package final class Embedding {
    package let weight: Int
    package let vocabulary: Int
    package let width: Int
    package private(set) var output = Tensor(shape: [0])

    /// Adds `name.weight` [vocabulary, width], initialised N(0, 0.02²) as BERT does.
    package init(
        _ name: String,
        vocabulary: Int,
        width: Int,
        parameters: inout ParameterStore,
        generator: inout SeededGenerator
    ) {
        self.vocabulary = vocabulary
        self.width = width
        self.weight = parameters.add(
            "\(name).weight",
            .normal(shape: [vocabulary, width], std: 0.02, using: &generator)
        )
    }

    /// output[n, width] = W[ids[n]]; every id must be below `vocabulary`.
    package func forward(_ ids: [Int32], parameters: ParameterStore) {
        for id in ids {
            precondition(id >= 0 && Int(id) < self.vocabulary, "token id \(id) outside vocabulary \(self.vocabulary)")
        }
        parameters[self.weight].value.gatherRows(count: ids.count, into: &self.output) { Int(ids[$0]) }
    }

    /// dW[ids[n]] += doutput[n]: rows of repeated ids accumulate.
    package func backward(_ ids: [Int32], outputGradient: Tensor, parameters: inout ParameterStore) {
        guard parameters[self.weight].trainable else { return }
        let c = self.width
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            parameters[self.weight].grad.scalars.withUnsafeMutableBufferPointer { dw in
                for (n, id) in ids.enumerated() {
                    let row = Int(id) * c
                    for i in 0..<c { dw[row + i] += dy[n * c + i] }
                }
            }
        }
    }
}
