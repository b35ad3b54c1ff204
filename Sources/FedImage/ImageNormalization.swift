import FedSupport

/// Per-channel normalisation of a model's input: pixels scaled to [0, 1], then
/// `(x − mean[c]) / std[c]` for each of the three channels, as torchvision's `Normalize`.
/// Decodes from a preset name (`imagenet`, `efficientnet-lite`, `unit`) or from
/// `{mean: [r, g, b], std: [r, g, b]}`.
package struct ImageNormalization: Codable, Sendable, Equatable {
    /// Mean of each channel on the [0, 1] scale.
    package var mean: [Float]
    /// Standard deviation of each channel on the [0, 1] scale, each above 0.
    package var std: [Float]

    package init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// ImageNet's channel statistics, which torchvision's pretrained models expect.
    package static let imageNet = ImageNormalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// EfficientNet-Lite's TensorFlow preprocessing, `(p − 127) / 128` on 0–255 pixels:
    /// mean 127/255 and std 128/255 on the [0, 1] scale.
    package static let efficientNetLite = ImageNormalization(
        mean: [Float](repeating: 127.0 / 255.0, count: 3),
        std: [Float](repeating: 128.0 / 255.0, count: 3)
    )

    /// No normalisation beyond scaling to [0, 1].
    package static let unit = ImageNormalization(mean: [0, 0, 0], std: [1, 1, 1])

    /// The presets by the names files use.
    package static let presets: [String: ImageNormalization] = [
        "imagenet": .imageNet,
        "efficientnet-lite": .efficientNetLite,
        "unit": .unit,
    ]

    /// What is wrong with the values, as sentences naming the key (empty when fine).
    package var problems: [String] {
        var problems: [String] = []
        if self.mean.count != 3 || !self.mean.allSatisfy({ $0.isFinite && (-10...10).contains($0) }) {
            problems.append("normalization.mean must be three numbers in -10...10, one per channel, found \(self.mean)")
        }
        if self.std.count != 3 || !self.std.allSatisfy({ $0.isFinite && $0 > 0 && $0 <= 10 }) {
            problems.append("normalization.std must be three numbers in (0, 10], one per channel, found \(self.std)")
        }
        return problems
    }

    /// `x[c] · scale[c] + offset[c]` maps a 0–255 pixel value of channel c to its normalised
    /// value (computed in double precision so the presets' fractions cancel).
    var affine: (scale: (Float, Float, Float), offset: (Float, Float, Float)) {
        func scale(_ c: Int) -> Float { Float(1 / (255 * Double(self.std[c]))) }
        func offset(_ c: Int) -> Float { Float(-Double(self.mean[c]) / Double(self.std[c])) }
        return ((scale(0), scale(1), scale(2)), (offset(0), offset(1), offset(2)))
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case mean, std
    }

    package init(from decoder: any Decoder) throws {
        if let name = try? decoder.singleValueContainer().decode(String.self) {
            guard let preset = Self.presets[name] else {
                throw DecodingError.dataCorrupted(
                    .init(
                        codingPath: decoder.codingPath,
                        debugDescription: "unknown normalization '\(name)'; use one of "
                            + Self.presets.keys.sorted().joined(separator: ", ")
                            + " or {mean: [r, g, b], std: [r, g, b]}"
                    )
                )
            }
            self = preset
            return
        }
        try StrictKeys.check(decoder, known: CodingKeys.allCases.map(\.rawValue))
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.mean = try container.decode([Float].self, forKey: .mean)
        self.std = try container.decode([Float].self, forKey: .std)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.mean, forKey: .mean)
        try container.encode(self.std, forKey: .std)
    }
}
