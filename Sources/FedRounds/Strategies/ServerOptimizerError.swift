/// Server-optimizer settings that cannot run, or a saved state that does not fit the model.
package enum ServerOptimizerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A hyperparameter out of its range, named by its YAML key (`strategy.beta1`).
    case invalid(key: String, value: Double, expected: String)
    /// A hyperparameter given for an optimizer that has no such setting.
    case doesNotApply(key: String, kind: ServerOptimizerKind)
    /// A state tensor the optimizer expects is missing from the saved state.
    case missingState(name: String, kind: ServerOptimizerKind)
    /// A saved tensor the optimizer does not keep (another optimizer's, or another model's).
    case unexpectedState(name: String, kind: ServerOptimizerKind)
    /// A saved tensor whose shape differs from the model's tensor of that name.
    case misshapenState(name: String, expected: [Int], found: [Int])
    /// A saved value that no run of the optimizer can produce (not finite, a negative
    /// second moment, a step count that is not a whole number).
    case corruptState(name: String, detail: String)

    package var description: String {
        switch self {
        case .invalid(let key, let value, let expected):
            "\(key) must be \(expected), not \(value)"
        case .doesNotApply(let key, let kind):
            "\(key) does not apply to the \(kind.rawValue) server optimizer: remove it, or choose "
                + "an optimizer that uses it (\(Self.users(of: key)))"
        case .missingState(let name, let kind):
            "the saved \(kind.rawValue) server-optimizer state has no tensor \(name): the checkpoint was "
                + "written with another server optimizer or model; resume with the settings it was written "
                + "with, or start a new run"
        case .unexpectedState(let name, let kind):
            "the saved server-optimizer state holds \(name), which \(kind.rawValue) does not keep: the "
                + "checkpoint was written with another server optimizer or model; resume with the settings "
                + "it was written with, or start a new run"
        case .misshapenState(let name, let expected, let found):
            "the saved server-optimizer tensor \(name) has shape \(found), the model's tensor has "
                + "\(expected): the checkpoint belongs to another model"
        case .corruptState(let name, let detail):
            "the saved server-optimizer tensor \(name) \(detail): the checkpoint is damaged; resume "
                + "from an earlier one"
        }
    }

    /// The kinds that take a hyperparameter key, for the hint.
    private static func users(of key: String) -> String {
        let bare = key.split(separator: ".").last.map(String.init) ?? key
        let kinds = ServerOptimizerKind.allCases.filter { kind in
            let d = ServerOptimizerSettings.defaults(kind)
            switch bare {
            case "momentum": return d.momentum != nil
            case "beta1": return d.beta1 != nil
            case "beta2": return d.beta2 != nil
            case "tau": return d.tau != nil
            default: return false
            }
        }
        return kinds.map(\.rawValue).joined(separator: ", ")
    }
}
