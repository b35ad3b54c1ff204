import FedData
import FedLearning
import FedTensor

/// A model kind the simulation can run: trainable by the shared trainer, wrappable as
/// `AnyClassifier` for what only moves tensors (model folders, checkpoints), and able to
/// join several sites' examples into one pooled set for centralised training.
package protocol SimulatedModel: TrainableClassifier {
    var anyClassifier: AnyClassifier { get }
    var classNames: [String] { get }
    /// The order in which to score `examples`, for batches that waste little work.
    func evaluationOrder(_ examples: Examples) -> [Int]
    /// The examples of `parts` one after another.
    static func concatenate(_ parts: [Examples], classNames: [String]) -> Examples
}

extension Classifier: SimulatedModel {
    package var anyClassifier: AnyClassifier { .tabular(self) }
    package var classNames: [String] { self.architecture.classNames }

    package func evaluationOrder(_ examples: Dataset) -> [Int] { Array(0..<examples.count) }

    package static func concatenate(_ parts: [Dataset], classNames: [String]) -> Dataset {
        let width = parts.first?.featureCount ?? 0
        let count = parts.reduce(0) { $0 + $1.count }
        return Dataset(
            features: Tensor(shape: [count, width], scalars: parts.flatMap(\.features.scalars)),
            labels: parts.flatMap(\.labels),
            featureNames: parts.first?.featureNames ?? [],
            classNames: classNames
        )
    }
}

extension TextClassifier: SimulatedModel {
    package var anyClassifier: AnyClassifier { .text(self) }
    package var classNames: [String] { self.architecture.classNames }

    /// Shortest texts first: a batch pads to its longest text, so sorted batches pad least.
    package func evaluationOrder(_ examples: TextExamples) -> [Int] {
        examples.tokens.indices.sorted { examples.tokens[$0].count < examples.tokens[$1].count }
    }

    package static func concatenate(_ parts: [TextExamples], classNames: [String]) -> TextExamples {
        TextExamples.concatenating(parts, classNames: classNames)
    }
}

extension ImageClassifier: SimulatedModel {
    package var anyClassifier: AnyClassifier { .image(self) }
    package var classNames: [String] { self.architecture.classNames }

    package func evaluationOrder(_ examples: ImageExamples) -> [Int] { Array(0..<examples.count) }

    package static func concatenate(_ parts: [ImageExamples], classNames: [String]) -> ImageExamples {
        ImageExamples.concatenating(parts)
    }
}
