import Foundation

/// How the learning rate changes over the steps of a training run.
package enum LearningRateSchedule: Sendable, Equatable, Codable {
    /// The base rate throughout.
    case constant
    /// Linear warm-up from 0 over `warmupSteps`, then linear decay to 0 at `totalSteps`.
    case linear(warmupSteps: Int, totalSteps: Int)
    /// Linear warm-up from 0 over `warmupSteps`, then half a cosine down to 0 at `totalSteps`.
    case cosine(warmupSteps: Int, totalSteps: Int)

    /// The multiplier of the base rate at `step` (0-based).
    package func factor(at step: Int) -> Float {
        switch self {
        case .constant:
            return 1
        case .linear(let warmup, let total), .cosine(let warmup, let total):
            if step < warmup { return Float(step + 1) / Float(warmup) }
            let span = Swift.max(total - warmup, 1)
            let progress = Swift.min(Float(step - warmup) / Float(span), 1)
            if case .linear = self { return 1 - progress }
            return 0.5 * (1 + cos(Float.pi * progress))
        }
    }
}
