import FedTensor

extension TextExamples {
    /// The examples of `parts` one after another. When every part already holds pooled
    /// embeddings from the same encoder weights, the result holds them too, so a head-mode
    /// model trained on several sites' data pooled (a simulation's centralised baseline)
    /// does not run the encoder over those texts a second time.
    package static func concatenating(_ parts: [TextExamples], classNames: [String]) -> TextExamples {
        let result = TextExamples(
            tokens: parts.flatMap(\.tokens),
            labels: parts.flatMap(\.labels),
            classNames: classNames
        )
        guard let key = parts.first?.pooled?.key, parts.allSatisfy({ $0.pooled?.key == key }) else { return result }
        var scalars: [Float] = []
        scalars.reserveCapacity(parts.reduce(0) { $0 + $1.pooled!.features.count })
        for part in parts { scalars += part.pooled!.features.scalars }
        let width = parts[0].pooled!.features.shape[1]
        result.pooled = (key, Tensor(shape: [result.count, width], scalars: scalars))
        return result
    }
}
