import FedTensor
import Foundation

/// A loss over logits [N, C] and integer targets that the `Trainer` can minimise.
package protocol ClassificationLoss: AnyObject {
    /// The mean loss of `logits` against `targets`; keeps what `backward` needs.
    func forward(_ logits: Tensor, targets: [Int]) -> Float
    /// Writes dloss/dlogits [N, C] for the last forward's targets into `logitsGradient`.
    func backward(targets: [Int])
    var logitsGradient: Tensor { get }
}

extension SoftmaxCrossEntropy: ClassificationLoss {}

/// The focal loss of Lin et al. ("Focal Loss for Dense Object Detection", 2017) over a
/// softmax, with class weights as its α:
///
///     loss = Σₙ α[yₙ]·(1 − p[n,yₙ])^γ·(−log p[n,yₙ]) / Σₙ α[yₙ]
///
/// γ = 0 is the (weighted) cross-entropy. Well-classified examples (p_y near 1) weigh
/// (1 − p_y)^γ as much, so the rare, hard examples dominate the gradient. Forward keeps the
/// probabilities; backward writes dlogits:
///
///     dloss/dz_j = α_y·[γ(1 − q)^(γ−1)·q·log q − (1 − q)^γ]·([j = y] − p_j) / Σₙ α[yₙ],  q = p_y
package final class FocalLoss: ClassificationLoss {
    package let classes: Int
    package let gamma: Float
    /// α per class [C]; nil means all ones.
    package let classWeights: [Float]?
    package private(set) var probabilities = Tensor(shape: [0])
    package private(set) var logitsGradient = Tensor(shape: [0])
    private var normaliser: Double = 0
    /// −log p_y of each row of the last forward, kept in double precision: a hopeless example's
    /// p_y underflows a Float to 0, where log would give −∞ and the gradient NaN.
    private var negativeLogTarget: [Double] = []

    package init(classes: Int, gamma: Float, classWeights: [Float]? = nil) {
        precondition(classWeights == nil || classWeights!.count == classes, "one class weight per class")
        precondition(gamma >= 0 && gamma.isFinite, "γ must be a finite number ≥ 0")
        self.classes = classes
        self.gamma = gamma
        self.classWeights = classWeights
    }

    package func forward(_ logits: Tensor, targets: [Int]) -> Float {
        let c = self.classes
        let n = targets.count
        precondition(logits.count == n * c, "logits \(logits.shape) for \(n) targets of \(c) classes")
        self.probabilities.resize(rows: n, columns: c)
        let gamma = Double(self.gamma)
        var total = 0.0
        var weightSum = 0.0
        self.negativeLogTarget.removeAll(keepingCapacity: true)
        logits.scalars.withUnsafeBufferPointer { z in
            self.probabilities.scalars.withUnsafeMutableBufferPointer { p in
                for row in 0..<n {
                    let base = row * c
                    var peak = -Float.infinity
                    for j in 0..<c where z[base + j] > peak { peak = z[base + j] }
                    var denominator = 0.0
                    for j in 0..<c {
                        let e = Foundation.exp(Double(z[base + j] - peak))
                        p[base + j] = Float(e)
                        denominator += e
                    }
                    for j in 0..<c { p[base + j] = Float(Double(p[base + j]) / denominator) }
                    let y = targets[row]
                    // −log q = log Σ exp(z − peak) − (z_y − peak), stable for tiny q.
                    let negativeLogQ = Foundation.log(denominator) - Double(z[base + y] - peak)
                    self.negativeLogTarget.append(negativeLogQ)
                    let alpha = Double(self.weight(y))
                    total +=
                        alpha * Foundation.pow(self.complement(UnsafeBufferPointer(p), base, y), gamma) * negativeLogQ
                    weightSum += alpha
                }
            }
        }
        self.normaliser = weightSum
        return weightSum > 0 ? Float(total / weightSum) : 0
    }

    package func backward(targets: [Int]) {
        let c = self.classes
        let n = targets.count
        self.logitsGradient.resize(rows: n, columns: c)
        let gamma = Double(self.gamma)
        let scale = self.normaliser > 0 ? 1 / self.normaliser : 0
        self.probabilities.scalars.withUnsafeBufferPointer { p in
            self.logitsGradient.scalars.withUnsafeMutableBufferPointer { dz in
                for row in 0..<n {
                    let base = row * c
                    let y = targets[row]
                    let negativeLogQ = self.negativeLogTarget[row]
                    let q = Foundation.exp(-negativeLogQ)
                    let rest = self.complement(p, base, y)
                    // (1 − q)^(γ−1)·log q → 0 as q → 1 for γ > 0; evaluated at rest = 0 it would be ∞·0.
                    let pull = gamma > 0 && rest > 0 ? -gamma * Foundation.pow(rest, gamma - 1) * q * negativeLogQ : 0
                    let g = Double(self.weight(y)) * (pull - Foundation.pow(rest, gamma)) * scale
                    for j in 0..<c {
                        dz[base + j] = Float(g * ((j == y ? 1 : 0) - Double(p[base + j])))
                    }
                }
            }
        }
    }

    /// 1 − p_y as the sum of the other classes' probabilities, exact when p_y is near 1.
    @inline(__always)
    private func complement(_ p: UnsafeBufferPointer<Float>, _ base: Int, _ y: Int) -> Double {
        var rest = 0.0
        for j in 0..<self.classes where j != y { rest += Double(p[base + j]) }
        return rest
    }

    @inline(__always)
    private func weight(_ c: Int) -> Float { self.classWeights?[c] ?? 1 }
}
