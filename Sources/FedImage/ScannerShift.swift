import FedSupport
import FedTensor

/// How one site's imaging equipment renders images differently from the others: a
/// brightness offset, a contrast factor about mid-grey and Gaussian sensor noise, applied
/// to 8-bit pixels as p′ = clamp((p − 128)·contrast + 128 + 255·brightness + noise·z), z
/// standard normal drawn from a seeded generator (the same seed gives the same images).
/// Simulations use it to give each hospital of a scenario its own "scanner".
package struct ScannerShift: Sendable, Codable, Equatable {
    /// Added to every pixel, as a fraction of the 0–255 range (−0.5…0.5).
    package var brightness: Double = 0
    /// Multiplies each pixel's distance from mid-grey (0.2…5; 1 leaves it).
    package var contrast: Double = 1
    /// Standard deviation of the added noise in pixel levels (0…64).
    package var noise: Double = 0

    package init(brightness: Double = 0, contrast: Double = 1, noise: Double = 0) {
        self.brightness = brightness
        self.contrast = contrast
        self.noise = noise
    }

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case brightness, contrast, noise
    }

    package init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.brightness = try c.decodeIfPresent(Double.self, forKey: .brightness) ?? 0
        self.contrast = try c.decodeIfPresent(Double.self, forKey: .contrast) ?? 1
        self.noise = try c.decodeIfPresent(Double.self, forKey: .noise) ?? 0
    }

    /// Problems with the values, each naming the key and its range.
    package var problems: [String] {
        var problems: [String] = []
        if !(-0.5...0.5).contains(self.brightness) { problems.append("brightness must be in -0.5...0.5, found \(self.brightness)") }
        if !(0.2...5).contains(self.contrast) { problems.append("contrast must be in 0.2...5, found \(self.contrast)") }
        if !(0...64).contains(self.noise) { problems.append("noise must be in 0...64, found \(self.noise)") }
        return problems
    }

    /// `images` as this scanner renders them; noise is drawn from `seed`.
    package func apply(to images: ImageSet, seed: UInt64) -> ImageSet {
        var generator = SeededGenerator(seed: seed)
        let (contrast, offset, noise) = (Float(self.contrast), Float(128 + 255 * self.brightness), Float(self.noise))
        let pixels = images.pixels.map { pixel -> UInt8 in
            var value = (Float(pixel) - 128) * contrast + offset
            if noise > 0 { value += noise * generator.nextNormal() }
            return UInt8(Swift.min(Swift.max(value.rounded(), 0), 255))
        }
        return images.replacingPixels(pixels)
    }
}
