import Foundation

/// Arithmetic on numbers held as their natural logarithms, so the RDP sums of terms as small
/// as e^-1000 or as large as e^50000 neither underflow nor overflow. A port of the helpers of
/// dp_accounting 0.6.0 (dp_accounting/rdp/rdp_privacy_accountant.py), case for case.
enum LogSpace {
    /// log(e^x + e^y); −∞ stands for the number 0.
    static func add(_ x: Double, _ y: Double) -> Double {
        let (a, b) = (min(x, y), max(x, y))
        if a == -.infinity { return b }
        return log1p(exp(a - b)) + b
    }

    /// log|e^x − e^y| and whether e^x − e^y is positive (equal inputs give (true, −∞)).
    static func subtract(_ x: Double, _ y: Double) -> (positive: Bool, magnitude: Double) {
        if x > y { return (true, x + log1p(-exp(y - x))) }
        if x < y { return (false, y + log1p(-exp(x - y))) }
        return (true, -.infinity)
    }

    /// log|C(n, k)| through log|Γ|, for real n (the fractional orders need C(α, i) for α ∉ ℕ).
    static func binomial(_ n: Double, _ k: Double) -> Double {
        logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1)
    }

    /// log|Γ(x)| (scipy.special.gammaln). The reentrant form, because plain lgamma writes the
    /// process-wide `signgam` and accountants may run on several threads at once.
    static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// log(erfc(x)), accurate far into the tail where erfc(x) itself underflows. dp_accounting
    /// computes it as log 2 + scipy.special.log_ndtr(−x√2); this follows log_ndtr's three
    /// ranges: near 2 through log1p, the middle directly, the far tail (x > 10√2) by the
    /// asymptotic series of the normal distribution's tail.
    static func logErfc(_ x: Double) -> Double {
        let a = -x * 2.0.squareRoot()
        if a > 6 {
            // erfc(x) = 2 − erfc(−x) with erfc(−x) < 2e-9.
            return log(2) + log1p(-0.5 * erfc(-x))
        }
        if a > -20 {
            return log(erfc(x))
        }
        // log Φ(a) = −a²/2 − log(−a) − log(2π)/2 + log(1 − 1/a² + 3/a⁴ − 15/a⁶ + …), summed
        // until a term no longer changes the total.
        let lhs = -0.5 * a * a - log(-a) - 0.5 * log(2 * Double.pi)
        var (lastTotal, total, numerator, denominator, sign) = (0.0, 1.0, 1.0, 1.0, 1.0)
        let step = 1 / (a * a)
        var i = 0.0
        while abs(lastTotal - total) > Double.ulpOfOne {
            i += 1
            lastTotal = total
            sign = -sign
            denominator *= step
            numerator *= 2 * i - 1
            total += sign * numerator * denominator
        }
        return log(2) + lhs + log(total)
    }
}
