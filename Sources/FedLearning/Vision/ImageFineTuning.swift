/// Which part of a pretrained CNN an image classifier trains, and therefore which tensors
/// travel each round: `head` (the new linear classifier only; every image's pooled features
/// are computed once and cached), `last-n` (the last `layers` blocks, the head convolution
/// and its batch norm, and the classifier), or `full` (everything).
///
/// Batch norm in frozen blocks always runs in evaluation mode with the pretrained
/// statistics. In trained blocks it normalises with each batch's statistics while training
/// and updates its running statistics; `batchNorm` says what the federation does with them:
/// `federated` sends them with the trained tensors, so they are averaged like the weights,
/// and `local` (FedBN, Li et al. 2021) keeps every batch-norm tensor of the trained blocks
/// (scale, shift and statistics) at its site: they neither travel nor are averaged.
package struct ImageFineTuning: Sendable, Codable, Equatable {
    package enum Mode: String, Sendable, Codable, CaseIterable {
        case head
        case lastLayers = "last-n"
        case full
    }

    package enum BatchNormPolicy: String, Sendable, Codable, CaseIterable {
        case federated
        case local
    }

    package var mode: Mode = .lastLayers
    /// Blocks trained in `last-n` mode, counted from the top.
    package var layers: Int = 2
    package var batchNorm: BatchNormPolicy = .federated

    package init(mode: Mode = .lastLayers, layers: Int = 2, batchNorm: BatchNormPolicy = .federated) {
        self.mode = mode
        self.layers = layers
        self.batchNorm = batchNorm
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case mode, layers
        case batchNorm = "batch_norm"
    }

    package static let keys = CodingKeys.allCases.map(\.rawValue)

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        self.mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? self.mode
        self.layers = try c.decodeIfPresent(Int.self, forKey: .layers) ?? self.layers
        self.batchNorm = try c.decodeIfPresent(BatchNormPolicy.self, forKey: .batchNorm) ?? self.batchNorm
    }

    /// Problems with the settings for a backbone of `blockCount` blocks, each naming the field.
    package func problems(blockCount: Int) -> [String] {
        guard self.mode == .lastLayers, !(1...blockCount).contains(self.layers) else { return [] }
        return ["fine_tuning.layers must be in 1...\(blockCount) (the network has \(blockCount) blocks), found \(self.layers)"]
    }

    /// The index of the lowest trained block (`blockCount` when only the head and classifier
    /// train, nil when the stem trains too).
    package func firstTrainedBlock(blockCount: Int) -> Int? {
        switch self.mode {
        case .head: blockCount
        case .lastLayers: Swift.max(blockCount - self.layers, 0)
        case .full: nil
        }
    }

    /// Whether tensor `name` of the backbone is trained (the classifier always is).
    package func trains(_ name: String, blockCount: Int) -> Bool {
        if name.hasPrefix(ImageClassifierArchitecture.classifierPrefix) { return true }
        switch self.mode {
        case .head: return false
        case .full: return true
        case .lastLayers:
            if name.hasPrefix("_conv_head.") || name.hasPrefix("_bn1.") { return true }
            let first = Swift.max(blockCount - self.layers, 0)
            return (first..<blockCount).contains { name.hasPrefix("_blocks.\($0).") }
        }
    }

    /// Whether a trained tensor stays at its site instead of travelling (FedBN's batch norms).
    package func staysLocal(_ name: String) -> Bool {
        self.batchNorm == .local && Self.isBatchNorm(name)
    }

    /// Whether `name` is a batch norm's tensor (`_bn0`, `_bn1`, `_bn2` of the stem, blocks or head).
    package static func isBatchNorm(_ name: String) -> Bool {
        name.split(separator: ".").contains { $0.hasPrefix("_bn") }
    }
}
