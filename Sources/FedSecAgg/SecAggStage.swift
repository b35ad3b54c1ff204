/// The stages of one secure-aggregation round, in order. Each party moves forward only;
/// a message that belongs to another stage is refused.
package enum SecAggStage: Int, Codable, Sendable, Comparable, CustomStringConvertible {
    /// Stage 1: each site advertises two public keys and a commitment to its self-mask seed.
    case advertiseKeys = 1
    /// Stage 2: each site sends its neighbours encrypted Shamir shares of its two secrets.
    case shareKeys
    /// Stage 3: each site sends its masked, quantised update.
    case maskedInput
    /// Stage 4: survivors return the shares that remove the masks.
    case unmask
    /// The round's sum has been computed (or the round was abandoned).
    case finished

    package static func < (lhs: SecAggStage, rhs: SecAggStage) -> Bool { lhs.rawValue < rhs.rawValue }

    package var description: String {
        switch self {
        case .advertiseKeys: return "stage 1 (advertise keys)"
        case .shareKeys: return "stage 2 (share keys)"
        case .maskedInput: return "stage 3 (masked input)"
        case .unmask: return "stage 4 (unmask)"
        case .finished: return "the finished round"
        }
    }
}
