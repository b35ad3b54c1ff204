/// Why a scenario could not be read or run; every case names the file (or scenario) and
/// the field or step at fault.
package enum ScenarioError: Error, Equatable, CustomStringConvertible {
    case invalid(path: String, detail: String)
    case expectationsFailed([String])

    package var description: String {
        switch self {
        case .invalid(let path, let detail): "\(path): \(detail)"
        case .expectationsFailed(let failures): "expectations not met: " + failures.joined(separator: "; ")
        }
    }
}
