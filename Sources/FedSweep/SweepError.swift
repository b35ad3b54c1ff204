/// What stops a sweep, in words for the person who started it.
package enum SweepError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The search space file is wrong: `detail` names the line, the key and the value.
    case space(path: String, detail: String)
    /// The sweep folder cannot be used (it holds another sweep, or a file in it is unreadable).
    case folder(path: String, detail: String)
    /// A trial's federation could not run.
    case trial(number: Int, detail: String)
    /// The scenario cannot be swept (for instance, it holds no site data out to score on).
    case scenario(path: String, detail: String)

    package var description: String {
        switch self {
        case .space(let path, let detail): "\(path): \(detail)"
        case .folder(let path, let detail): "sweep folder \(path): \(detail)"
        case .trial(let number, let detail): "trial \(number): \(detail)"
        case .scenario(let path, let detail): "\(path): \(detail)"
        }
    }
}
