import FedTensor

/// The mean of each channel's plane: [N, C, H, W] → [N, C], the pooling before a CNN's classifier.
package final class GlobalAveragePool: Layer {
    package private(set) var output = Tensor(shape: [0])
    package private(set) var inputGradient = Tensor(shape: [0])

    package init() {}

    package func forward(_ input: Tensor, parameters: ParameterStore, training: Bool) {
        let s = input.shape
        precondition(s.count == 4, "global average pooling expects [N, C, H, W], got \(s)")
        let (planes, plane) = (s[0] * s[1], s[2] * s[3])
        self.output.resize(rows: s[0], columns: s[1])
        input.scalars.withUnsafeBufferPointer { x in
            self.output.scalars.withUnsafeMutableBufferPointer { y in
                let scale = 1 / Float(plane)
                for p in 0..<planes { y[p] = RowReductions.sum(x.baseAddress! + p * plane, count: plane) * scale }
            }
        }
    }

    package func backward(
        _ input: Tensor,
        outputGradient: Tensor,
        parameters: inout ParameterStore,
        needsInputGradient: Bool
    ) {
        guard needsInputGradient else { return }
        let s = input.shape
        let (planes, plane) = (s[0] * s[1], s[2] * s[3])
        self.inputGradient.resize(s[0], s[1], s[2], s[3])
        outputGradient.scalars.withUnsafeBufferPointer { dy in
            self.inputGradient.scalars.withUnsafeMutableBufferPointer { dx in
                // dx[n,c,h,w] = dy[n,c] / (H·W)
                let scale = 1 / Float(plane)
                for p in 0..<planes {
                    (dx.baseAddress! + p * plane).update(repeating: dy[p] * scale, count: plane)
                }
            }
        }
    }
}
