import FedSupport

/// Random changes applied to training images only, each drawn per image from a seeded
/// generator, as torchvision's transforms: `RandomResizedCrop`, `RandomHorizontalFlip`,
/// `RandomRotation` and `ColorJitter`'s brightness and contrast. Every key is optional and
/// defaults to off, so `{}` is no augmentation.
///
/// YAML keys: `horizontal_flip` (true/false), `crop_scale` ([min, max] fraction of the
/// image's area; absent: no crop; torchvision's default is [0.08, 1]), `crop_ratio`
/// ([min, max] aspect ratio, default [3/4, 4/3]), `rotation_degrees` (angle drawn in ±d),
/// `brightness` and `contrast` (factor drawn in [max(0, 1 − b), 1 + b]).
package struct AugmentationSettings: Codable, Sendable, Equatable {
    /// Mirror left–right with probability 1/2.
    package var horizontalFlip: Bool = false
    /// Fraction of the image's area the crop covers, [min, max]; nil for no crop.
    package var cropScale: [Double]?
    /// Width / height of the crop, [min, max], drawn log-uniformly.
    package var cropRatio: [Double] = [3.0 / 4.0, 4.0 / 3.0]
    /// Largest rotation either way, in degrees; 0 for none.
    package var rotationDegrees: Double = 0
    /// Brightness jitter: the image is multiplied by a factor in [max(0, 1 − b), 1 + b].
    package var brightness: Double = 0
    /// Contrast jitter: the image is blended with its mean grey by a factor in [max(0, 1 − c), 1 + c].
    package var contrast: Double = 0

    package init(
        horizontalFlip: Bool = false,
        cropScale: [Double]? = nil,
        cropRatio: [Double] = [3.0 / 4.0, 4.0 / 3.0],
        rotationDegrees: Double = 0,
        brightness: Double = 0,
        contrast: Double = 0
    ) {
        self.horizontalFlip = horizontalFlip
        self.cropScale = cropScale
        self.cropRatio = cropRatio
        self.rotationDegrees = rotationDegrees
        self.brightness = brightness
        self.contrast = contrast
    }

    /// No augmentation.
    package static let none = AugmentationSettings()

    /// Whether every transform is off, so images pass through unchanged.
    package var isIdentity: Bool {
        !self.horizontalFlip && self.cropScale == nil && self.rotationDegrees == 0 && self.brightness == 0
            && self.contrast == 0
    }

    /// The allowed ranges.
    package enum Limits {
        package static let rotationDegrees: ClosedRange<Double> = 0...180
        package static let jitter: ClosedRange<Double> = 0...1
        package static let cropRatio: ClosedRange<Double> = 0.1...10
    }

    /// Every setting out of its range, as a sentence naming its key (empty when all are fine).
    package var problems: [String] {
        var problems: [String] = []
        if let scale = self.cropScale,
            !(scale.count == 2 && scale.allSatisfy(\.isFinite) && scale[0] > 0 && scale[0] <= scale[1] && scale[1] <= 1)
        {
            problems.append("crop_scale must be [min, max] with 0 < min ≤ max ≤ 1, found \(scale)")
        }
        let ratio = self.cropRatio
        if !(ratio.count == 2 && ratio.allSatisfy { Limits.cropRatio.contains($0) } && ratio[0] <= ratio[1]) {
            problems.append("crop_ratio must be [min, max] with 0.1 ≤ min ≤ max ≤ 10, found \(ratio)")
        }
        for (key, value, range) in [
            ("rotation_degrees", self.rotationDegrees, Limits.rotationDegrees),
            ("brightness", self.brightness, Limits.jitter),
            ("contrast", self.contrast, Limits.jitter),
        ] where !range.contains(value) {
            problems.append("\(key) must be in \(range.lowerBound)...\(range.upperBound), found \(value)")
        }
        return problems
    }

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case horizontalFlip = "horizontal_flip"
        case cropScale = "crop_scale"
        case cropRatio = "crop_ratio"
        case rotationDegrees = "rotation_degrees"
        case brightness, contrast
    }

    /// What a YAML file may hold under an augmentation section.
    package static let shape = YAMLShape.values(CodingKeys.allCases.map(\.rawValue))

    /// Every key optional with its off default; unknown keys refused (`StrictKeys`).
    package init(from decoder: any Decoder) throws {
        self.init()
        try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.horizontalFlip = try c.decodeIfPresent(Bool.self, forKey: .horizontalFlip) ?? false
        self.cropScale = try c.decodeIfPresent([Double].self, forKey: .cropScale)
        self.cropRatio = try c.decodeIfPresent([Double].self, forKey: .cropRatio) ?? self.cropRatio
        self.rotationDegrees = try c.decodeIfPresent(Double.self, forKey: .rotationDegrees) ?? 0
        self.brightness = try c.decodeIfPresent(Double.self, forKey: .brightness) ?? 0
        self.contrast = try c.decodeIfPresent(Double.self, forKey: .contrast) ?? 0
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(self.horizontalFlip, forKey: .horizontalFlip)
        try c.encodeIfPresent(self.cropScale, forKey: .cropScale)
        try c.encode(self.cropRatio, forKey: .cropRatio)
        try c.encode(self.rotationDegrees, forKey: .rotationDegrees)
        try c.encode(self.brightness, forKey: .brightness)
        try c.encode(self.contrast, forKey: .contrast)
    }
}
