import FedTensor
import Testing

@testable import FedLearning

/// The composite layers of EfficientNet against finite differences: a residual and a strided
/// MBConv block, in training-mode batch norm (trained blocks) and evaluation mode (frozen).
struct MBConvBlockTests {
    static func block(_ configuration: EfficientNetConfiguration.Block, batchStatistics: Bool)
        -> (MBConvBlock, ParameterStore)
    {
        var parameters = ParameterStore()
        var generator = SeededGenerator(seed: 11)
        let block = MBConvBlock(
            index: 0, configuration, epsilon: 1e-3, momentum: 0.1, parameters: &parameters, generator: &generator
        )
        block.useBatchStatistics = batchStatistics
        // Non-trivial batch-norm scales, shifts and running statistics.
        for i in 0..<parameters.count where parameters[i].name.contains("_bn") {
            let count = parameters[i].value.count
            let values = (0..<count).map { Float(0.8 + 0.1 * Double(($0 * 7 + i) % 5)) }
            parameters[i].value = Tensor(shape: [count], scalars: values)
        }
        return (block, parameters)
    }

    static func input(_ shape: [Int]) -> Tensor {
        var generator = SeededGenerator(seed: 5)
        return .normal(shape: shape, std: 1, using: &generator)
    }

    @Test(arguments: [true, false])
    func residualBlockBackwardMatchesFiniteDifferences(batchStatistics: Bool) {
        let configuration = EfficientNetConfiguration.Block(inputs: 3, expanded: 6, outputs: 3, kernel: 3, stride: 1)
        let (block, parameters) = Self.block(configuration, batchStatistics: batchStatistics)
        #expect(configuration.residual)

        let bad = GradientCheck.mismatches(
            layer: block, parameters: parameters, input: Self.input([2, 3, 5, 5]), training: true,
            step: 1e-3, atol: 1e-2, rtol: 5e-2
        )

        #expect(bad.isEmpty, "\(bad.prefix(3))")
    }

    @Test func stridedBlockWithoutExpansionBackwardMatchesFiniteDifferences() {
        let configuration = EfficientNetConfiguration.Block(inputs: 4, expanded: 4, outputs: 2, kernel: 5, stride: 2)
        let (block, parameters) = Self.block(configuration, batchStatistics: true)
        #expect(!configuration.expands && !configuration.residual)

        let bad = GradientCheck.mismatches(
            layer: block, parameters: parameters, input: Self.input([2, 4, 6, 6]), training: true,
            step: 1e-2, atol: 1e-2, rtol: 5e-2
        )

        #expect(bad.isEmpty, "\(bad.prefix(3))")
    }

    @Test func runningStatisticsMoveOnlyInTrainedBlocks() {
        let configuration = EfficientNetConfiguration.Block(inputs: 3, expanded: 6, outputs: 3, kernel: 3, stride: 1)
        for trained in [true, false] {
            var (block, parameters) = Self.block(configuration, batchStatistics: trained)
            let before = parameters["_blocks.0._bn1.running_mean"]!.value

            block.forward(Self.input([2, 3, 5, 5]), parameters: parameters, training: true)
            block.updateRunningStatistics(&parameters)

            #expect((parameters["_blocks.0._bn1.running_mean"]!.value != before) == trained)
        }
    }
}
