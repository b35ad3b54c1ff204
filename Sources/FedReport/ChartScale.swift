import Foundation

/// A linear axis: a domain widened to "nice" round bounds, its tick values, and the map
/// from data values to pixels.
///
/// Ticks follow the 1-2-5 rule (steps of 1, 2 or 5 times a power of ten) so labels read
/// as 0.70, 0.75, 0.80 rather than 0.7137, 0.7412.
package struct ChartScale: Sendable, Equatable {
    package let lower: Double
    package let upper: Double
    package let step: Double
    /// Pixel positions of `lower` and `upper`; `rangeEnd` may be smaller (y grows down).
    package let rangeStart: Double
    package let rangeEnd: Double

    /// A scale covering every finite value of `values`, with about `tickCount` ticks.
    ///
    /// No finite value gives the domain 0…1; a single value is padded so it sits inside.
    /// `integral` keeps steps whole (for round numbers). `clamp` bounds the domain (0…1
    /// for accuracies) unless the data itself lies outside it.
    package init(
        covering values: [Double],
        tickCount: Int = 5,
        range: (Double, Double),
        integral: Bool = false,
        clamp: ClosedRange<Double>? = nil
    ) {
        let finite = values.filter(\.isFinite)
        var low = finite.min() ?? 0
        var high = finite.max() ?? 1
        if low == high {
            let pad = integral ? 1 : max(abs(low) * 0.1, 0.05)
            low -= pad
            high += pad
        }
        var step = Self.niceStep(for: (high - low) / Double(max(tickCount - 1, 1)))
        if integral { step = max(1, step.rounded()) }
        low = Self.snapped((low / step).rounded(.down) * step, step: step)
        high = Self.snapped((high / step).rounded(.up) * step, step: step)
        if let clamp {
            if low < clamp.lowerBound && (finite.min() ?? clamp.lowerBound) >= clamp.lowerBound {
                low = clamp.lowerBound
            }
            if high > clamp.upperBound && (finite.max() ?? clamp.upperBound) <= clamp.upperBound {
                high = clamp.upperBound
            }
        }
        self.lower = low
        self.upper = high
        self.step = step
        self.rangeStart = range.0
        self.rangeEnd = range.1
    }

    /// The smallest step of 1, 2, 2.5 or 5 × 10ⁿ that is at least `rough`.
    package static func niceStep(for rough: Double) -> Double {
        guard rough.isFinite, rough > 0 else { return 1 }
        let power = pow(10, (log10(rough)).rounded(.down))
        let fraction = rough / power
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10
        return nice * power
    }

    /// `value` rounded to the decimals `step` needs, so 14 × 0.05 is 0.7, not 0.7000000000000001.
    private static func snapped(_ value: Double, step: Double) -> Double {
        let factor = pow(10, max(0, (-log10(step)).rounded(.up) + 1))
        return (value * factor).rounded() / factor
    }

    /// Tick values from `lower` to `upper` inclusive, free of floating-point drift.
    package var ticks: [Double] {
        let count = Int(((self.upper - self.lower) / self.step).rounded())
        guard count >= 0, count < 1000 else { return [self.lower, self.upper] }
        let decimals = Double(self.decimals)
        let factor = pow(10, decimals)
        return (0...count).map { ((self.lower + Double($0) * self.step) * factor).rounded() / factor }
    }

    /// Decimals needed so every tick label is exact (0.25 needs 2, 0.5 needs 1).
    package var decimals: Int {
        for digits in 0...6 {
            let factor = pow(10, Double(digits))
            let scaled = self.step * factor
            if abs(scaled - scaled.rounded()) < 1e-6 * max(1, scaled) {
                let lowerScaled = self.lower * factor
                if abs(lowerScaled - lowerScaled.rounded()) < 1e-6 * max(1, abs(lowerScaled)) { return digits }
            }
        }
        return 6
    }

    /// The label of tick `value`.
    package func label(_ value: Double) -> String {
        String(format: "%.\(self.decimals)f", value)
    }

    /// The pixel position of `value`; values outside the domain land outside the range.
    package func position(_ value: Double) -> Double {
        let span = self.upper - self.lower
        guard span > 0, value.isFinite else { return self.rangeStart }
        return self.rangeStart + (value - self.lower) / span * (self.rangeEnd - self.rangeStart)
    }
}
