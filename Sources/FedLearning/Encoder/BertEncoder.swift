import FedTensor
import FedText

/// A BERT encoder (Hugging Face's BertModel without the pooler): embeddings and a stack of
/// post-LN transformer blocks, with parameters named as in the checkpoint so a
/// `model.safetensors` loads by name.
///
/// Backward stops below the lowest block that has a trainable tensor, so fine-tuning only
/// the last layers or the head pays only for those.
package final class BertEncoder {
    package let configuration: BertConfiguration
    let embeddings: BertEmbeddings
    let layers: [BertLayer]
    private var batch: TokenBatch?

    /// Adds every encoder tensor to `parameters` (randomly initialised, BERT-style) plus
    /// LoRA adapters when `lora` is given.
    package init(
        configuration: BertConfiguration,
        lora: LoRASettings? = nil,
        parameters: inout ParameterStore,
        generator: inout SeededGenerator
    ) {
        self.configuration = configuration
        self.embeddings = BertEmbeddings(configuration, parameters: &parameters, generator: &generator)
        self.layers = (0..<configuration.layerCount).map {
            BertLayer(
                index: $0,
                configuration: configuration,
                lora: lora,
                parameters: &parameters,
                generator: &generator
            )
        }
    }

    /// The last block's output [B·L, hidden] for the batch.
    @discardableResult
    package func forward(_ batch: TokenBatch, parameters: ParameterStore, training: Bool) -> Tensor {
        self.batch = batch
        self.embeddings.forward(batch, parameters: parameters)
        var input = self.embeddings.output
        for layer in self.layers {
            layer.forward(
                input,
                mask: batch.attentionMask,
                batchSize: batch.batchSize,
                length: batch.length,
                parameters: parameters,
                training: training
            )
            input = layer.output
        }
        return input
    }

    /// The last block's output of the last forward.
    package var output: Tensor { self.layers.last?.output ?? self.embeddings.output }

    /// Accumulates gradients of the trainable tensors for the last forward, given
    /// dloss/doutput [B·L, hidden].
    package func backward(outputGradient: Tensor, parameters: inout ParameterStore) {
        guard let batch = self.batch else { preconditionFailure("backward before forward") }
        let embeddingsTrainable = parameters.entries.contains { $0.trainable && $0.name.hasPrefix("embeddings.") }
        let lowest =
            embeddingsTrainable ? 0 : (self.layers.firstIndex { $0.hasTrainable(parameters) } ?? self.layers.count)
        var gradient = outputGradient
        for index in stride(from: self.layers.count - 1, through: lowest, by: -1) {
            let input = index == 0 ? self.embeddings.output : self.layers[index - 1].output
            let needsInput = index > lowest || embeddingsTrainable
            self.layers[index].backward(
                input,
                outputGradient: gradient,
                batchSize: batch.batchSize,
                length: batch.length,
                parameters: &parameters,
                needsInputGradient: needsInput
            )
            if needsInput { gradient = self.layers[index].inputGradient }
        }
        if embeddingsTrainable {
            self.embeddings.backward(batch, outputGradient: gradient, parameters: &parameters)
        }
    }
}

extension BertEncoder {
    /// Every projection that carries a LoRA adapter, in layer order.
    package var adaptedProjections: [LoRALinear] {
        self.layers.flatMap { layer in
            [layer.query, layer.key, layer.value, layer.attentionOutput, layer.intermediate, layer.feedForwardOutput]
                .compactMap { $0 as? LoRALinear }
        }
    }
}
