import FedSupport

/// The `strategy` section shared by coordinator.yaml and scenario files: how updates are
/// bounded and how their average moves the global model.
package struct StrategySettings: Sendable, Equatable, Decodable {
    /// L2 bound on each site's update over all its tensors.
    package var clipNorm: Float?
    /// Multiplier of the averaged update when applied to the global model.
    package var serverLearningRate: Float?

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case clipNorm = "clip_norm"
        case serverLearningRate = "server_learning_rate"
    }

    /// What a YAML file may hold under `strategy`.
    package static let shape = YAMLShape.values(CodingKeys.allCases.map(\.rawValue))
}
