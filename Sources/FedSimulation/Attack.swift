import FedSupport
import FedTensor
import OrderedCollections

/// Hostile sites in a simulation, to measure what robust aggregation is worth: the last
/// `count` sites either train on flipped labels (class c becomes C − 1 − c) or send their
/// honest update multiplied by `scale` (−10 turns it around and makes it ten times longer).
/// In process only: a site process has no way to misbehave on purpose.
package struct Attack: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case labelFlip
        case scale(Float)
    }

    package var count: Int
    package var kind: Kind

    package init(count: Int, kind: Kind) {
        self.count = count
        self.kind = kind
    }

    /// The scenario file's `attack` section.
    struct Settings: Sendable, Decodable {
        var sites: Int
        var kind: String
        var scale: Float?

        enum CodingKeys: String, CodingKey, CaseIterable { case sites, kind, scale }

        static let shape = YAMLShape.values(CodingKeys.allCases.map(\.rawValue))
    }

    /// The attack the settings describe, for a federation of `sites` (0 when the data decides).
    static func read(_ settings: Settings, sites: Int) throws(AttackError) -> Attack {
        guard settings.sites >= 1, sites == 0 || settings.sites < sites else {
            throw .invalid("attack.sites must be at least 1 and fewer than the \(sites) sites, not \(settings.sites)")
        }
        switch settings.kind {
        case "label_flip":
            return Attack(count: settings.sites, kind: .labelFlip)
        case "scale":
            guard let scale = settings.scale, scale.isFinite, scale != 1 else {
                throw .invalid("attack.scale must be a finite number other than 1 with kind: scale (e.g. -10)")
            }
            return Attack(count: settings.sites, kind: .scale(scale))
        default:
            throw .invalid("attack.kind must be 'label_flip' or 'scale', not '\(settings.kind.prefix(40))'")
        }
    }

    /// The hostile sites among `names`: the last `count`.
    func hostile(_ names: [String]) -> Set<String> { Set(names.suffix(self.count)) }

    /// A hostile site's update as it sends it.
    func tamper(_ delta: OrderedDictionary<String, Tensor>) -> OrderedDictionary<String, Tensor> {
        guard case .scale(let factor) = self.kind else { return delta }
        return delta.mapValues { Tensor(shape: $0.shape, scalars: $0.scalars.map { $0 * factor }) }
    }

    /// Labels as a label-flipping site trains on them.
    func flipped(_ labels: [Int], classes: Int) -> [Int] {
        guard case .labelFlip = self.kind else { return labels }
        return labels.map { classes - 1 - $0 }
    }
}

/// An `attack` section that cannot run.
package enum AttackError: Error, Equatable, CustomStringConvertible {
    case invalid(String)

    package var description: String {
        switch self {
        case .invalid(let detail): detail
        }
    }
}
