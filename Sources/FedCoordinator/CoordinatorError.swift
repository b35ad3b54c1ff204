/// Why the coordinator could not start or had to stop. What a site sends never ends up
/// here: a site's fault closes that site's connection only.
package enum CoordinatorError: Error, Equatable, CustomStringConvertible {
    case stopped(reason: String)
    case protocolViolation(site: String, detail: String)
    case invalidConfiguration(String)

    package var description: String {
        switch self {
        case .stopped(let reason): "the federation stopped: \(reason)"
        case .protocolViolation(let site, let detail): "site '\(site)' broke the protocol: \(detail)"
        case .invalidConfiguration(let detail): "invalid coordinator configuration: \(detail)"
        }
    }
}
