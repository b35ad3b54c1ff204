/// How a site shrinks its update before sending it, set by coordinator.yaml's
/// `strategy.compression` (and `strategy.topk_fraction` for top-k).
///
/// The site compresses after clipping and the coordinator decompresses before folding,
/// so every strategy sees a dense update. What each codec keeps:
/// - `fp16`: IEEE half precision, relative error ≤ 2⁻¹¹ for |x| in [2⁻¹⁴, 65504], absolute
///   ≤ 2⁻²⁵ below; larger values are clamped to ±65504. Half the bytes of F32.
/// - `bf16`: bfloat16, relative error ≤ 2⁻⁸ over Float32's normal range. Half the bytes.
/// - `int8`: per tensor, codes in −127…127 times a Float32 scale max|x| / 127, rounded
///   stochastically so the decoded value is unbiased; |error| < scale. A quarter of the bytes.
/// - `topK(fraction:)`: per tensor, the k = ⌈fraction · count⌉ values of largest magnitude
///   (ties to the lower index) as int32 indices and float32 values, 8 bytes each; what is not
///   sent stays on the site and is added to the next round's update (error feedback).
package enum UpdateCompression: Sendable, Equatable, Codable {
    case none
    case fp16
    case bf16
    case int8
    case topK(fraction: Double)

    /// The names coordinator.yaml accepts, which are also what blobs record.
    package static let names = ["none", "fp16", "bf16", "int8", "topk"]

    /// The fraction `topk` keeps when `strategy.topk_fraction` is not given: 1% of each tensor.
    package static let defaultTopKFraction = 0.01

    /// The codec's name, as in coordinator.yaml and a blob's `fedtune.compression` metadata.
    package var name: String {
        switch self {
        case .none: "none"
        case .fp16: "fp16"
        case .bf16: "bf16"
        case .int8: "int8"
        case .topK: "topk"
        }
    }

    /// The codec coordinator.yaml names, checked: `name` one of `names` (nil means `none`),
    /// and `topKFraction` only with `topk`, in (0, 1] (`defaultTopKFraction` when nil).
    package init(name: String?, topKFraction: Double?) throws(UpdateCompressionError) {
        switch name ?? "none" {
        case "none": self = .none
        case "fp16": self = .fp16
        case "bf16": self = .bf16
        case "int8": self = .int8
        case "topk": self = .topK(fraction: topKFraction ?? Self.defaultTopKFraction)
        case let other: throw .unknownCodec(other)
        }
        if let topKFraction, self.name != "topk" {
            throw .fractionWithoutTopK(codec: self.name, fraction: topKFraction)
        }
        try self.validate()
    }

    /// Throws when the top-k fraction is not a number in (0, 1].
    package func validate() throws(UpdateCompressionError) {
        if case .topK(let fraction) = self, !(fraction > 0 && fraction <= 1) { throw .fractionOutOfRange(fraction) }
    }

    /// How many of `count` values top-k sends per tensor: ⌈fraction · count⌉, at least one of
    /// a non-empty tensor and never more than `count`.
    package static func topKCount(fraction: Double, of count: Int) -> Int {
        guard count > 0 else { return 0 }
        // The product is shaved by a relative 1e-12 before rounding up, so a whole number that
        // binary rounding nudges up (0.07 · 100 = 7.000000000000001) stays itself instead of 8.
        let product = fraction * Double(count)
        let k = (product - product * 1e-12).rounded(.up)
        return k >= Double(count) ? count : Swift.max(1, Int(k))
    }

    private enum CodingKeys: String, CodingKey {
        case compression
        case topKFraction = "topk_fraction"
    }

    /// Reads `{"compression": "topk", "topk_fraction": 0.01}`, the YAML keys' own shape.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .compression)
        let fraction = try container.decodeIfPresent(Double.self, forKey: .topKFraction)
        do {
            try self.init(name: name, topKFraction: fraction)
        } catch {
            throw DecodingError.dataCorruptedError(
                forKey: .compression,
                in: container,
                debugDescription: error.description
            )
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.name, forKey: .compression)
        if case .topK(let fraction) = self { try container.encode(fraction, forKey: .topKFraction) }
    }
}
