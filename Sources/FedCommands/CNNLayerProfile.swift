import FedImage
import FedLearning
import FedTensor
import Foundation

/// `fedtune bench cnn --profile`: where EfficientNet-Lite0's forward and full training step spend
/// their time, by kind of operation (stem, 1×1 and depthwise convolutions, batch norm with its
/// ReLU6, residual adds, pooling), each timed on its own over the real activations of one batch.
package enum CNNLayerProfile {
    /// Milliseconds per kind of operation, forward (evaluation mode) and backward (training mode,
    /// every tensor trained).
    package struct Row: Sendable, Codable {
        package var kind: String
        package var forwardMilliseconds: Double
        package var trainingForwardMilliseconds: Double
        package var backwardMilliseconds: Double
    }

    package static func run(pretrained: PretrainedEfficientNet, size: Int, batch: Int, repeats: Int) throws -> [Row] {
        let model = try ImageClassifier(
            pretrained: pretrained,
            classNames: ["a", "b"],
            fineTuning: .init(mode: .full),
            inputSize: size,
            seed: 1
        )
        var generator = SeededGenerator(seed: 7)
        let input = Tensor.normal(shape: [batch, 3, size, size], std: 0.5, using: &generator)
        var parameters = model.parameters
        let backbone = model.backbone
        var rows: [String: Row] = [:]
        var order: [String] = []
        func add(_ kind: String, _ column: WritableKeyPath<Row, Double>, _ seconds: Double) {
            if rows[kind] == nil {
                rows[kind] = Row(kind: kind, forwardMilliseconds: 0, trainingForwardMilliseconds: 0, backwardMilliseconds: 0)
                order.append(kind)
            }
            rows[kind]![keyPath: column] += seconds * 1e3
        }
        func kind(_ conv: Conv2d) -> String {
            switch conv.path {
            case .pointwise: "conv 1×1"
            case .depthwise: "conv depthwise \(conv.kernelHeight)×\(conv.kernelWidth) s\(conv.strideHeight)"
            case .im2col: "conv stem (im2col)"
            }
        }
        for training in [false, true] {
            backbone.useBatchStatistics(from: training ? 0 : backbone.layers.count)
            let column: WritableKeyPath<Row, Double> = training ? \.trainingForwardMilliseconds : \.forwardMilliseconds
            var x = input
            for layer in backbone.layers {
                let units = (layer as? MBConvBlock)?.units ?? [layer as! ConvBatchNorm]
                var unitInput = x
                var unitsSeconds = 0.0
                for unit in units {
                    let conv = MedianTime.seconds(repeats) {
                        unit.conv.forward(unitInput, parameters: parameters, training: training)
                    }
                    let norm = MedianTime.seconds(repeats) {
                        unit.norm.forward(unit.conv.output, parameters: parameters, training: training)
                    }
                    let whole = conv + norm
                    add(kind(unit.conv), column, conv)
                    add("batch norm (+ ReLU6)", column, norm)
                    unitsSeconds += whole
                    unitInput = unit.output
                }
                let total = MedianTime.seconds(repeats) { layer.forward(x, parameters: parameters, training: training) }
                if layer is MBConvBlock { add("residual add", column, Swift.max(total - unitsSeconds, 0)) }
                x = layer.output
            }
            let pool = GlobalAveragePool()
            add("pool", column, MedianTime.seconds(repeats) { pool.forward(x, parameters: parameters, training: training) })
        }
        // Backward through every layer, in training mode, after one training forward.
        backbone.forward(input, parameters: parameters, training: true)
        var gradient = Tensor.normal(shape: backbone.output.shape, std: 1, using: &generator)
        let pool = GlobalAveragePool()
        let last = backbone.layers[backbone.layers.count - 1].output
        pool.forward(last, parameters: parameters, training: true)
        add("pool", \.backwardMilliseconds, MedianTime.seconds(repeats) {
            pool.backward(last, outputGradient: gradient, parameters: &parameters, needsInputGradient: true)
        })
        gradient = pool.inputGradient
        for index in stride(from: backbone.layers.count - 1, through: 0, by: -1) {
            let layer = backbone.layers[index]
            let layerInput = index == 0 ? input : backbone.layers[index - 1].output
            let units = (layer as? MBConvBlock)?.units ?? [layer as! ConvBatchNorm]
            var unitGradient = gradient
            var unitsSeconds = 0.0
            for (position, unit) in units.enumerated().reversed() {
                let unitInput = position == 0 ? layerInput : units[position - 1].output
                let needs = index > 0 || position > 0
                let whole = MedianTime.seconds(repeats) {
                    unit.backward(unitInput, outputGradient: unitGradient, parameters: &parameters, needsInputGradient: needs)
                }
                let conv = MedianTime.seconds(repeats) {
                    unit.conv.backward(
                        unitInput,
                        outputGradient: unit.norm.inputGradient,
                        parameters: &parameters,
                        needsInputGradient: needs
                    )
                }
                add(kind(unit.conv), \.backwardMilliseconds, conv)
                add("batch norm (+ ReLU6)", \.backwardMilliseconds, Swift.max(whole - conv, 0))
                unitsSeconds += whole
                unitGradient = unit.inputGradient
            }
            let total = MedianTime.seconds(repeats) {
                layer.backward(layerInput, outputGradient: gradient, parameters: &parameters, needsInputGradient: index > 0)
            }
            if layer is MBConvBlock { add("residual add", \.backwardMilliseconds, Swift.max(total - unitsSeconds, 0)) }
            gradient = layer.inputGradient
        }
        return order.map { rows[$0]! }
    }

    package static func table(_ rows: [Row], size: Int, batch: Int) -> String {
        var lines = [
            "EfficientNet-Lite0 at \(size)×\(size), batch \(batch): milliseconds per kind of operation",
            "operation                   forward  train fwd   backward",
        ]
        var totals = (0.0, 0.0, 0.0)
        for row in rows {
            lines.append(
                String(
                    format: "%@ %9.1f %10.1f %10.1f",
                    row.kind.padding(toLength: 26, withPad: " ", startingAt: 0) as NSString,
                    row.forwardMilliseconds,
                    row.trainingForwardMilliseconds,
                    row.backwardMilliseconds
                )
            )
            totals.0 += row.forwardMilliseconds
            totals.1 += row.trainingForwardMilliseconds
            totals.2 += row.backwardMilliseconds
        }
        lines.append(String(format: "%@ %9.1f %10.1f %10.1f", "total".padding(toLength: 26, withPad: " ", startingAt: 0) as NSString, totals.0, totals.1, totals.2))
        return lines.joined(separator: "\n")
    }
}
