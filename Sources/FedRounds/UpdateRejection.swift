/// Why a site's update was turned away. A rejection is data for the round (logged with
/// the site's name and recorded in rounds.jsonl); it never touches the global model.
package enum UpdateRejection: Error, Sendable, Equatable, CustomStringConvertible {
    case missingTensor(String)
    case unexpectedTensor(String)
    case wrongShape(tensor: String, expected: [Int], found: [Int])
    case nonFinite(tensor: String)
    case invalidExampleCount(Int)
    case wrongRound(expected: Int, found: Int)
    case notSelected(site: String, round: Int)
    case duplicate(site: String, round: Int)

    package var description: String {
        switch self {
        case .missingTensor(let name): "update lacks tensor '\(name)'"
        case .unexpectedTensor(let name): "update carries tensor '\(name)', which is not trainable in this model"
        case .wrongShape(let name, let expected, let found):
            "tensor '\(name)' has shape \(found), the model's is \(expected)"
        case .nonFinite(let name): "tensor '\(name)' holds NaN or infinite values"
        case .invalidExampleCount(let count): "example count \(count) must be between 1 and 2^31"
        case .wrongRound(let expected, let found): "update is for round \(found), the open round is \(expected)"
        case .notSelected(let site, let round): "site '\(site)' was not selected for round \(round)"
        case .duplicate(let site, let round): "site '\(site)' already reported for round \(round)"
        }
    }
}
