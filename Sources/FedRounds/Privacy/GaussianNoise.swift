import FedSupport
import Foundation

/// The Gaussian noise of differentially private aggregation, drawn from a secret key with a
/// ChaCha20 keystream (`KeyStream`), so the noise of a round is unpredictable to whoever
/// lacks the key yet the same every time the round is computed: a coordinator that restarts
/// after a crash adds exactly the noise it would have added.
///
/// Each normal comes from two 53-bit uniforms by Box–Muller in double precision, then is
/// rounded to float32. Known limit: floating-point samplers leak through the gaps between
/// representable values (Mironov 2012); a discrete Gaussian would close that and is not
/// implemented.
package enum GaussianNoise {
    /// `count` draws of N(0, σ²) for `purpose` in `round`, from the 32-byte secret `key`.
    package static func sample(count: Int, standardDeviation sigma: Double, key: [UInt8], purpose: String, round: Int)
        -> [Float]
    {
        var stream = KeyStream(deriving: [key, Array(purpose.utf8), Array(String(round).utf8)])
        var out = [Float](repeating: 0, count: count)
        var index = 0
        while index < count {
            let (a, b) = Self.pair(&stream)
            out[index] = Float(sigma * a)
            if index + 1 < count { out[index + 1] = Float(sigma * b) }
            index += 2
        }
        return out
    }

    /// Two independent standard normals (Box–Muller).
    static func pair(_ stream: inout KeyStream) -> (Double, Double) {
        // u1 in (0, 1]: never 0, so the logarithm is finite.
        let u1 = Double((stream.next() >> 11) + 1) * 0x1.0p-53
        let u2 = Double(stream.next() >> 11) * 0x1.0p-53
        let radius = (-2 * log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (radius * cos(angle), radius * sin(angle))
    }
}
