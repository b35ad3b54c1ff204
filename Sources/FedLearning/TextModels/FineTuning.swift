import FedRounds
/// Which part of a pretrained encoder a text classifier trains, and therefore which
/// tensors travel each round: `head` (the classifier only, with pooled features cached),
/// `last-n` (the last `layers` blocks and the head), `lora` (low-rank adapters and the
/// head), or `full` (everything).
package struct FineTuning: Sendable, Codable, Equatable {
    package enum Mode: String, Sendable, Codable, CaseIterable {
        case head
        case lastLayers = "last-n"
        case lora
        case full
    }

    package var mode: Mode = .lora
    /// Blocks trained in `last-n` mode, counted from the top.
    package var layers: Int = 2
    package var lora = LoRASettings()

    package init(mode: Mode = .lora, layers: Int = 2, lora: LoRASettings = LoRASettings()) {
        self.mode = mode
        self.layers = layers
        self.lora = lora
    }

    private enum CodingKeys: String, CodingKey { case mode, layers, lora }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        self.mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? self.mode
        self.layers = try c.decodeIfPresent(Int.self, forKey: .layers) ?? self.layers
        self.lora = try c.decodeIfPresent(LoRASettings.self, forKey: .lora) ?? self.lora
    }

    /// Problems with the settings for an encoder of `layerCount` blocks, each naming the field.
    package func problems(layerCount: Int) -> [String] {
        switch self.mode {
        case .lastLayers where self.layers < 1 || self.layers > layerCount:
            return [
                "fine_tuning.layers must be in 1...\(layerCount) (the encoder has \(layerCount) layers), found \(self.layers)"
            ]
        case .lora:
            return self.lora.problems
        default:
            return []
        }
    }

    /// Whether the tensor `name` is trained in this mode (the head is always trained).
    package func trains(_ name: String, layerCount: Int) -> Bool {
        if name.hasPrefix(TextClassifier.headPrefix) { return true }
        switch self.mode {
        case .head:
            return false
        case .full:
            return true
        case .lora:
            // Exact aggregation's residual travels too (the coordinator sets it; no gradient).
            return name.contains(".lora_A.") || name.contains(".lora_B.")
                || name.hasSuffix(LoRAExactAggregation.residualSuffix)
        case .lastLayers:
            return (Swift.max(layerCount - self.layers, 0)..<layerCount).contains {
                name.hasPrefix("encoder.layer.\($0).")
            }
        }
    }
}
