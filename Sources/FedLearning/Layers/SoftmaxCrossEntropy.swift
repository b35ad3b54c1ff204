import FedTensor
import Foundation

/// Softmax cross-entropy over logits [N, C] and integer targets, with optional class
/// weights and label smoothing, defined as PyTorch's `CrossEntropyLoss`:
///
///     loss = Σₙ [ (1−ε)·w[yₙ]·(−log p[n,yₙ]) + (ε/C)·Σ_c w[c]·(−log p[n,c]) ] / Σₙ w[yₙ]
///
/// Forward keeps the probabilities; backward writes dlogits.
package final class SoftmaxCrossEntropy {
    package let classes: Int
    /// Per-class weights [C]; nil means all ones.
    package var classWeights: [Float]?
    /// ε in [0, 1): the share of the target spread evenly over all classes.
    package var labelSmoothing: Float
    package private(set) var probabilities = Tensor(shape: [0])
    package private(set) var logitsGradient = Tensor(shape: [0])

    package init(classes: Int, classWeights: [Float]? = nil, labelSmoothing: Float = 0) {
        precondition(classWeights == nil || classWeights!.count == classes, "one class weight per class")
        precondition(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1)")
        self.classes = classes
        self.classWeights = classWeights
        self.labelSmoothing = labelSmoothing
    }

    /// The mean loss of `logits` [N, C] against `targets`; keeps softmax(logits).
    package func forward(_ logits: Tensor, targets: [Int]) -> Float {
        let c = self.classes
        let n = targets.count
        precondition(logits.count == n * c, "logits \(logits.shape) for \(n) targets of \(c) classes")
        self.probabilities.resize(rows: n, columns: c)
        let eps = self.labelSmoothing
        var total: Double = 0
        var weightSum: Double = 0
        logits.scalars.withUnsafeBufferPointer { z in
            self.probabilities.scalars.withUnsafeMutableBufferPointer { p in
                for row in 0..<n {
                    let base = row * c
                    var peak = -Float.infinity
                    for j in 0..<c where z[base + j] > peak { peak = z[base + j] }
                    var denominator: Float = 0
                    for j in 0..<c {
                        let e = exp(z[base + j] - peak)
                        p[base + j] = e
                        denominator += e
                    }
                    let logDenominator = log(denominator)
                    for j in 0..<c { p[base + j] /= denominator }
                    // −log p = log Σ exp(z − peak) − (z − peak), stable for tiny p.
                    let y = targets[row]
                    let wy = self.weight(y)
                    var rowLoss = Double((1 - eps) * wy * (logDenominator - (z[base + y] - peak)))
                    if eps > 0 {
                        var smooth: Float = 0
                        for j in 0..<c { smooth += self.weight(j) * (logDenominator - (z[base + j] - peak)) }
                        rowLoss += Double(eps / Float(c) * smooth)
                    }
                    total += rowLoss
                    weightSum += Double(wy)
                }
            }
        }
        self.normaliser = Float(weightSum)
        return weightSum > 0 ? Float(total / weightSum) : 0
    }

    /// Writes dloss/dlogits [N, C] for the last forward's targets.
    package func backward(targets: [Int]) {
        let c = self.classes
        let n = targets.count
        self.logitsGradient.resize(rows: n, columns: c)
        let eps = self.labelSmoothing
        let scale = self.normaliser > 0 ? 1 / self.normaliser : 0
        let weightTotal = self.classWeights.map { $0.reduce(0, +) } ?? Float(c)
        self.probabilities.scalars.withUnsafeBufferPointer { p in
            self.logitsGradient.scalars.withUnsafeMutableBufferPointer { dz in
                for row in 0..<n {
                    let base = row * c
                    let y = targets[row]
                    let wy = self.weight(y)
                    for j in 0..<c {
                        // (1−ε)·w_y·(p_j − [j=y]) + (ε/C)·(Σw · p_j − w_j), over Σₙ w[yₙ]
                        var g = (1 - eps) * wy * (p[base + j] - (j == y ? 1 : 0))
                        if eps > 0 { g += eps / Float(c) * (weightTotal * p[base + j] - self.weight(j)) }
                        dz[base + j] = g * scale
                    }
                }
            }
        }
    }

    private var normaliser: Float = 0

    @inline(__always)
    private func weight(_ c: Int) -> Float { self.classWeights?[c] ?? 1 }
}
